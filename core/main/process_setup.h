// What the `alluxio` and `alluxio-fuse` processes share at start: reading their command line
// and configuration, and detaching a forked child into the background.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/common/configuration.h"

namespace alluxio {

struct CommandLine {
  std::vector<std::string> defines;  // "key=value" from -Dkey=value
  std::string command;
  std::vector<std::string> rest;  // the command's arguments
  Configuration conf;
};

// Extracts -D arguments, answers -h/--help/help and no arguments with `usage`, and loads the
// configuration. Returns the command line, or the exit code when the process should stop here
// (usage or a configuration error was printed).
std::variant<CommandLine, int> ParseCommandLine(std::vector<std::string> args,
                                                std::string_view usage);

// Keeps freed heap memory in the process instead of returning it to the kernel: buffers of up
// to 32 MiB come from the heap, and the heap is trimmed only past 256 MiB free. Every RPC
// message and I/O buffer would otherwise be fresh pages (a page fault each, ~23 µs here).
// Call first in main(), before any thread starts.
void RetainFreedMemory();

// In a forked child: a new session, stdin from /dev/null, stdout and stderr appended to
// `out_file` (kept as they are if it cannot be opened).
void DetachInto(const std::string& out_file);

}  // namespace alluxio
