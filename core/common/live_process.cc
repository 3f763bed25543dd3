#include "core/common/live_process.h"

#include <fstream>
#include <iterator>

namespace alluxio {
namespace {

// argv of `pid` ("self" or a number); empty if it cannot be read (gone, or a zombie: the kernel
// has released its memory).
std::vector<std::string> CommandLineOf(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv;
  for (size_t start = 0; start < all.size();) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    argv.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return argv;
}

std::string_view FileName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool IsLiveProcess(pid_t pid, std::string_view program, const std::vector<std::string_view>& args) {
  if (pid <= 0) return false;
  const std::string id = std::to_string(pid);
  std::ifstream stat("/proc/" + id + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return false;
  const char state = line[close + 2];
  if (state == 'Z' || state == 'X' || state == 'x') return false;
  if (program.empty()) return true;
  const std::vector<std::string> argv = CommandLineOf(id);
  if (argv.size() < 1 + args.size() || FileName(argv[0]) != program) return false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (argv[i + 1] != args[i]) return false;
  }
  return true;
}

std::string CurrentProgramName() {
  const std::vector<std::string> argv = CommandLineOf("self");
  return argv.empty() ? std::string() : std::string(FileName(argv[0]));
}

}  // namespace alluxio
