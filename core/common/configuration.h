// Configuration as Alluxio users know it: alluxio-site.properties, then Alluxio's environment
// variables, then `-Dkey=value` on the command line, then programmatic Set() (FUSE `-o
// alluxio.x=y`); a later source wins. Values may refer to other properties with ${key}.
// Every registered property (property_key.h) is validated when loaded and on each Set(), so a
// typed getter never fails: a bad value is an error naming the key, the value and its source.
//
// A Configuration is a value: main loads it once and passes `const Configuration&` to the
// components (no global). Copy it to give a mount its own overrides. Not thread-safe for
// mutation; concurrent const access is safe.
//
//   ConfigLoadOptions opts{.env = CurrentEnvironment(), .command_line = ExtractDefineArgs(&args),
//                          .executable_path = CurrentExecutablePath()};
//   Result<Configuration> conf = Configuration::Load(opts);
//   if (!conf.ok()) { fmt::print(stderr, "{}\n", conf.error().message); return 1; }
//   int64_t block = conf->GetBytes(PropertyKey::kUserBlockSizeBytesDefault);
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/common/property_key.h"
#include "core/common/result.h"

namespace alluxio {

enum class ConfigSourceKind {
  kDefault,      // the registry default (or alluxio.home derived from the executable)
  kSiteFile,     // alluxio-site.properties
  kEnvironment,  // an ALLUXIO_* environment variable
  kCommandLine,  // -Dkey=value
  kRuntime,      // Configuration::Set (mount options, tests)
};

// Where a value came from, for messages and listings.
struct ConfigSource {
  ConfigSourceKind kind = ConfigSourceKind::kDefault;
  std::string where;  // file path, variable name, or a description
  int line = 0;       // kSiteFile: 1-based line

  static ConfigSource Default() { return {}; }
  static ConfigSource SiteFile(std::string path, int line) {
    return {ConfigSourceKind::kSiteFile, std::move(path), line};
  }
  static ConfigSource Environment(std::string variable) {
    return {ConfigSourceKind::kEnvironment, std::move(variable), 0};
  }
  static ConfigSource CommandLine() { return {ConfigSourceKind::kCommandLine, {}, 0}; }
  static ConfigSource Runtime(std::string what) {
    return {ConfigSourceKind::kRuntime, std::move(what), 0};
  }

  // "default", "/etc/alluxio/alluxio-site.properties:12", "environment variable ALLUXIO_HOME",
  // "command line", or the Runtime description.
  std::string ToString() const;
};

// A snapshot of environment variables. Tests pass their own; main passes CurrentEnvironment().
using Environment = std::map<std::string, std::string, std::less<>>;
Environment CurrentEnvironment();

// /proc/self/exe resolved; "" when unreadable.
std::string CurrentExecutablePath();

// Removes every "-Dkey=value" argument from *args and returns the "key=value" parts in order.
std::vector<std::string> ExtractDefineArgs(std::vector<std::string>* args);

struct ConfigLoadOptions {
  Environment env;                        // read for ALLUXIO_* variables (see property_key.cc)
  std::vector<std::string> command_line;  // "key=value" items, as given after -D
  // Used to derive alluxio.home's default: the parent of the bin/ directory holding it.
  // Empty: alluxio.home defaults to /opt/alluxio (Alluxio's default).
  std::string executable_path;
  // Read ${alluxio.conf.dir}/alluxio-site.properties when it exists.
  bool read_site_file = true;
};

// One row of Configuration::Entries().
struct ConfigEntry {
  std::string name;
  std::string value;  // resolved (${} substituted; enums in canonical spelling)
  std::string raw;    // as written
  ConfigSource source;
  bool registered = true;  // false: a key the registry does not know
};

class Configuration {
 public:
  // Registry defaults only.
  Configuration();

  // Reads, in increasing precedence: the site file, the environment, the command line.
  // Fails (kInvalidArgument, or the errno-mapped code of an unreadable site file) with one
  // message listing every bad value, each naming key, value and source; a missing site file is
  // not an error. Unknown alluxio.* keys are kept and reported through warnings().
  static Result<Configuration> Load(const ConfigLoadOptions& options);

  // Typed getters. The property's registered type must match the getter (a mismatch is a bug
  // and aborts); GetString works for every type and returns the resolved text.
  bool GetBool(PropertyKey key) const;
  int64_t GetInt(PropertyKey key) const;
  int64_t GetBytes(PropertyKey key) const;
  const std::vector<int64_t>& GetBytesList(PropertyKey key) const;
  // kDuration. Negative only where the registry allows it (metadata.sync.interval: -1 = never).
  std::chrono::milliseconds GetDuration(PropertyKey key) const;
  const std::string& GetString(PropertyKey key) const;
  // kEnum: the canonical spelling from the registry ("CACHE_THROUGH").
  const std::string& GetEnum(PropertyKey key) const;
  const std::vector<std::string>& GetList(PropertyKey key) const;

  // True when a source other than the default set the key.
  bool IsSet(PropertyKey key) const;
  const ConfigSource& GetSource(PropertyKey key) const;

  // The resolved text of any key, registered (or an alias) or not; nullopt when unregistered
  // and unset. For keys the registry does not have (UFS credentials and the like).
  std::optional<std::string> Lookup(std::string_view name) const;

  // Sets a registered property with full validation (type, bounds, ${} references of every
  // property). On failure nothing changes and the error names key, value and source.
  Status Set(PropertyKey key, std::string_view value,
             ConfigSource source = ConfigSource::Runtime("set at runtime"));
  // Same by name (aliases accepted). kNotFound for a name the registry does not know, so a
  // caller can tell an Alluxio property from some other option.
  Status Set(std::string_view name, std::string_view value, ConfigSource source);

  // Every registered property in registry order, then unregistered keys by name.
  std::vector<ConfigEntry> Entries() const;

  // Problems that do not stop loading ("unknown property alluxio.foo (from x:3)").
  // InitLogging writes them to the log.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The site file that was read; "" when none was found.
  const std::string& site_file() const { return site_file_; }

 private:
  struct Setting {
    std::string raw;
    ConfigSource source;
    std::string set_as;  // the name used when it was an alias; else ""
  };
  using Value = std::variant<std::monostate, bool, int64_t, std::chrono::milliseconds,
                             std::vector<int64_t>, std::vector<std::string>>;
  class Resolver;

  // Records a setting by name: registered → settings_, else unregistered_ (+ warning for an
  // unknown alluxio.* key).
  void Put(std::string_view name, std::string_view value, const ConfigSource& source);
  // Substitutes and validates every registered property; fills resolved_ and values_.
  Status Resolve();
  const Value& TypedValue(PropertyKey key, PropertyType type, const char* getter) const;

  std::vector<std::optional<Setting>> settings_;  // by PropertyKey; nullopt: default
  std::map<std::string, Setting, std::less<>> unregistered_;
  std::vector<std::string> resolved_;  // by PropertyKey
  std::vector<Value> values_;          // by PropertyKey
  std::vector<std::string> warnings_;
  std::string site_file_;
};

}  // namespace alluxio
