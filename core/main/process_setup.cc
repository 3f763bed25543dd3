#include "core/main/process_setup.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace alluxio {

void RetainFreedMemory() {
  // 32 MiB is glibc's largest mmap threshold; setting it also stops its dynamic adjustment.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

std::variant<CommandLine, int> ParseCommandLine(std::vector<std::string> args,
                                                std::string_view usage) {
  std::vector<std::string> defines = ExtractDefineArgs(&args);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    fmt::print(args.empty() ? stderr : stdout, "{}", usage);
    return args.empty() ? 2 : 0;
  }
  auto conf = Configuration::Load(ConfigLoadOptions{.env = CurrentEnvironment(),
                                                    .command_line = defines,
                                                    .executable_path = CurrentExecutablePath()});
  if (!conf.ok()) {
    fmt::print(stderr, "{}\n", conf.error().message);
    return 1;
  }
  return CommandLine{std::move(defines), args[0],
                     std::vector<std::string>(args.begin() + 1, args.end()), std::move(*conf)};
}

void DetachInto(const std::string& out_file) {
  setsid();
  int fd = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  if (null >= 0) dup2(null, STDIN_FILENO);
}

}  // namespace alluxio
