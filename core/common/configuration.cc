#include "core/common/configuration.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "core/common/config_value.h"
#include "core/common/properties_file.h"

extern char** environ;

namespace alluxio {
namespace {

constexpr std::string_view kSiteFileName = "alluxio-site.properties";

int Index(PropertyKey key) { return static_cast<int>(key); }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::vector<std::string_view> AllowedValues(const PropertyDef& def) {
  std::vector<std::string_view> out;
  std::string_view s = def.allowed;
  while (!s.empty()) {
    size_t bar = s.find('|');
    out.push_back(s.substr(0, bar));
    if (bar == std::string_view::npos) break;
    s.remove_prefix(bar + 1);
  }
  return out;
}

std::string FormatBound(const PropertyDef& def, int64_t v) {
  switch (def.type) {
    case PropertyType::kBytes:
    case PropertyType::kBytesList:
      return FormatBytes(v);
    case PropertyType::kDuration:
      return FormatDuration(std::chrono::milliseconds(v));
    default:
      return std::to_string(v);
  }
}

// Checks def's bounds; "" when within them, else what is wrong.
std::string CheckBounds(const PropertyDef& def, int64_t v) {
  if (v < def.min) return fmt::format("must be at least {}", FormatBound(def, def.min));
  if (v > def.max) return fmt::format("must be at most {}", FormatBound(def, def.max));
  return {};
}

struct Entry {
  std::string name;
  std::string value;
  ConfigSource source;
};

[[noreturn]] void Die(std::string_view message) {
  std::fprintf(stderr, "alluxio: configuration bug: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::abort();
}

}  // namespace

std::string ConfigSource::ToString() const {
  switch (kind) {
    case ConfigSourceKind::kDefault:
      return where.empty() ? "default" : where;
    case ConfigSourceKind::kSiteFile:
      return fmt::format("{}:{}", where, line);
    case ConfigSourceKind::kEnvironment:
      return fmt::format("environment variable {}", where);
    case ConfigSourceKind::kCommandLine:
      return "command line";
    case ConfigSourceKind::kRuntime:
      return where.empty() ? "set at runtime" : where;
  }
  return "?";
}

Environment CurrentEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view item(*e);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
  }
  return env;
}

std::string CurrentExecutablePath() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : path.string();
}

std::vector<std::string> ExtractDefineArgs(std::vector<std::string>* args) {
  std::vector<std::string> defines;
  std::vector<std::string> rest;
  for (std::string& arg : *args) {
    if (arg.size() > 2 && arg.starts_with("-D")) {
      defines.push_back(arg.substr(2));
    } else {
      rest.push_back(std::move(arg));
    }
  }
  *args = std::move(rest);
  return defines;
}

// Substitutes ${key} references, depth first with cycle detection. Each property resolves at
// most once; a failure is reported once, by the first property whose resolution met it.
class Configuration::Resolver {
 public:
  explicit Resolver(const Configuration& conf) : conf_(conf) {}

  // Resolved text of a registered key or an unregistered name.
  Result<std::string> ResolveName(const std::string& name) {
    if (auto it = done_.find(name); it != done_.end()) return it->second;
    if (failed_.contains(name)) return Fail(ErrorCode::kInvalidArgument, "");
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != name) continue;
      std::string chain;
      for (size_t j = i; j < stack_.size(); ++j) chain += stack_[j] + " -> ";
      chain += name;
      std::string sources;
      for (size_t j = i; j < stack_.size(); ++j) {
        sources += fmt::format("{}{} from {}", j == i ? "" : ", ", stack_[j],
                               SourceOf(stack_[j]).ToString());
      }
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("cycle in ${{}} substitution: {} ({})", chain, sources));
    }
    std::optional<std::string> raw = RawOf(name);
    if (!raw) return Fail(ErrorCode::kInvalidArgument, "");  // callers check existence first
    stack_.push_back(name);
    Result<std::string> text = Substitute(name, *raw);
    stack_.pop_back();
    if (!text.ok()) {
      failed_.insert(name);
      return text;
    }
    done_.emplace(name, *text);
    return text;
  }

 private:
  Result<std::string> Substitute(const std::string& owner, std::string_view raw) {
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t open = raw.find("${", pos);
      if (open == std::string_view::npos) break;
      out.append(raw.substr(pos, open - pos));
      size_t close = raw.find('}', open + 2);
      if (close == std::string_view::npos) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("unterminated ${{ in value \"{}\" of {} (from {})", raw, owner,
                                SourceOf(owner).ToString()));
      }
      std::string ref(TrimWhitespace(raw.substr(open + 2, close - open - 2)));
      if (!RawOf(ref)) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("value \"{}\" of {} (from {}) refers to ${{{}}}, which is not a "
                                "known or set property",
                                raw, owner, SourceOf(owner).ToString(), ref));
      }
      Result<std::string> sub = ResolveName(ref);
      if (!sub.ok()) return sub;
      out.append(*sub);
      pos = close + 1;
    }
    out.append(raw.substr(pos));
    return out;
  }

  std::optional<std::string> RawOf(const std::string& name) const {
    if (const PropertyDef* def = FindProperty(name)) {
      const auto& s = conf_.settings_[Index(def->key)];
      return s ? s->raw : std::string(def->default_value);
    }
    if (auto it = conf_.unregistered_.find(name); it != conf_.unregistered_.end()) {
      return it->second.raw;
    }
    return std::nullopt;
  }

  ConfigSource SourceOf(const std::string& name) const {
    if (const PropertyDef* def = FindProperty(name)) {
      const auto& s = conf_.settings_[Index(def->key)];
      return s ? s->source : ConfigSource::Default();
    }
    if (auto it = conf_.unregistered_.find(name); it != conf_.unregistered_.end()) {
      return it->second.source;
    }
    return ConfigSource::Default();
  }

  const Configuration& conf_;
  std::vector<std::string> stack_;
  std::map<std::string, std::string, std::less<>> done_;
  std::set<std::string, std::less<>> failed_;
};

Configuration::Configuration()
    : settings_(kPropertyCount), resolved_(kPropertyCount), values_(kPropertyCount) {
  Status st = Resolve();
  if (!st.ok()) Die(fmt::format("registry defaults do not validate: {}", st.error().message));
}

void Configuration::Put(std::string_view name, std::string_view value, const ConfigSource& source) {
  if (const PropertyDef* def = FindProperty(name)) {
    settings_[Index(def->key)] =
        Setting{std::string(value), source, name == def->name ? std::string() : std::string(name)};
    return;
  }
  if (name.starts_with("alluxio.") && !MatchesPropertyTemplate(name)) {
    warnings_.push_back(fmt::format("unknown property {} (from {})", name, source.ToString()));
  }
  unregistered_[std::string(name)] = Setting{std::string(value), source, {}};
}

Status Configuration::Resolve() {
  Resolver resolver(*this);
  std::vector<std::string> errors;
  bool substitution_failed = false;
  for (const PropertyDef& def : AllProperties()) {
    const int i = Index(def.key);
    Result<std::string> text = resolver.ResolveName(std::string(def.name));
    if (!text.ok()) {
      // An empty message: a failure already reported for the property it came from.
      if (!text.error().message.empty()) errors.push_back(text.error().message);
      substitution_failed = true;
      continue;
    }
    const std::optional<Setting>& setting = settings_[i];
    const std::string raw = setting ? setting->raw : std::string(def.default_value);
    auto bad = [&](std::string_view why) {
      std::string shown =
          raw == *text ? fmt::format("\"{}\"", raw) : fmt::format("\"{}\" (= \"{}\")", raw, *text);
      std::string as = setting && !setting->set_as.empty()
                           ? fmt::format(" (set as {})", setting->set_as)
                           : std::string();
      errors.push_back(fmt::format("invalid value {} for {}{} (from {}): {}", shown, def.name, as,
                                   setting ? setting->source.ToString() : "default", why));
    };
    std::string canonical = *text;
    Value value;
    switch (def.type) {
      case PropertyType::kBool: {
        auto v = ParseBool(*text);
        if (!v.ok()) {
          bad(v.error().message);
          continue;
        }
        value = *v;
        break;
      }
      case PropertyType::kInt:
      case PropertyType::kBytes: {
        auto v = def.type == PropertyType::kInt ? ParseInt(*text) : ParseBytes(*text);
        if (!v.ok()) {
          bad(v.error().message);
          continue;
        }
        if (std::string why = CheckBounds(def, *v); !why.empty()) {
          bad(why);
          continue;
        }
        value = *v;
        break;
      }
      case PropertyType::kBytesList: {
        std::vector<int64_t> sizes;
        std::string why;
        for (const std::string& item : SplitList(*text)) {
          auto v = ParseBytes(item);
          if (!v.ok()) {
            why = fmt::format("item \"{}\": {}", item, v.error().message);
          } else if (std::string b = CheckBounds(def, *v); !b.empty()) {
            why = fmt::format("item \"{}\": {}", item, b);
          }
          if (!why.empty()) break;
          sizes.push_back(*v);
        }
        if (!why.empty()) {
          bad(why);
          continue;
        }
        value = std::move(sizes);
        break;
      }
      case PropertyType::kDuration: {
        auto v = ParseDuration(*text);
        if (!v.ok()) {
          bad(v.error().message);
          continue;
        }
        if (std::string why = CheckBounds(def, v->count()); !why.empty()) {
          bad(why);
          continue;
        }
        value = *v;
        break;
      }
      case PropertyType::kString:
        break;
      case PropertyType::kEnum: {
        std::string_view given = TrimWhitespace(*text);
        // Alluxio names some choices by Java class; accept "alluxio.fuse.auth.X" for "X".
        if (size_t dot = given.rfind('.'); dot != std::string_view::npos) {
          given.remove_prefix(dot + 1);
        }
        std::vector<std::string_view> allowed = AllowedValues(def);
        const std::string upper = Upper(given);
        bool found = false;
        for (std::string_view a : allowed) {
          if (Upper(a) == upper) {
            canonical = std::string(a);
            found = true;
            break;
          }
        }
        if (!found) {
          bad(fmt::format("expected one of {}", fmt::join(allowed, ", ")));
          continue;
        }
        break;
      }
      case PropertyType::kList:
        value = SplitList(*text);
        break;
    }
    resolved_[i] = std::move(canonical);
    values_[i] = std::move(value);
  }
  // Unregistered keys that are set must also substitute cleanly.
  for (const auto& [name, setting] : unregistered_) {
    Result<std::string> text = resolver.ResolveName(name);
    if (!text.ok()) {
      if (!text.error().message.empty()) errors.push_back(text.error().message);
      substitution_failed = true;
    }
  }
  if (errors.empty() && !substitution_failed) return Ok();
  if (errors.empty()) errors.push_back("${} substitution failed");
  return Fail(ErrorCode::kInvalidArgument, fmt::format("{}", fmt::join(errors, "; ")));
}

Result<Configuration> Configuration::Load(const ConfigLoadOptions& options) {
  std::vector<Entry> derived;
  if (!options.executable_path.empty()) {
    std::filesystem::path bin = std::filesystem::path(options.executable_path).parent_path();
    if (bin.filename() == "bin" && bin.has_parent_path()) {
      derived.push_back(
          {std::string(GetPropertyDef(PropertyKey::kHome).name), bin.parent_path().string(),
           ConfigSource{
               ConfigSourceKind::kDefault,
               fmt::format("default (derived from executable {})", options.executable_path), 0}});
    }
  }
  std::vector<Entry> env;
  for (const EnvironmentProperty& e : AllEnvironmentProperties()) {
    auto it = options.env.find(e.variable);
    if (it == options.env.end() || it->second.empty()) continue;
    env.push_back({std::string(GetPropertyDef(e.key).name), it->second,
                   ConfigSource::Environment(std::string(e.variable))});
  }
  std::vector<Entry> command_line;
  for (const std::string& item : options.command_line) {
    size_t eq = item.find('=');
    std::string_view name = TrimWhitespace(std::string_view(item).substr(0, eq));
    if (name.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("command line: \"-D{}\" is not -Dkey=value", item));
    }
    std::string_view value =
        eq == std::string::npos ? std::string_view() : std::string_view(item).substr(eq + 1);
    command_line.push_back(
        {std::string(name), std::string(TrimWhitespace(value)), ConfigSource::CommandLine()});
  }

  auto build = [&](const std::vector<Entry>& site) {
    Configuration conf;
    const std::vector<Entry>* layers[] = {&derived, &site, &env, &command_line};
    for (const std::vector<Entry>* layer : layers) {
      for (const Entry& e : *layer) conf.Put(e.name, e.value, e.source);
    }
    return conf;
  };

  Configuration conf = build({});
  if (options.read_site_file) {
    // Where the site file is depends on alluxio.home / alluxio.conf.dir from the environment
    // and the command line only.
    Resolver resolver(conf);
    Result<std::string> conf_dir =
        resolver.ResolveName(std::string(GetPropertyDef(PropertyKey::kConfDir).name));
    if (conf_dir.ok()) {
      std::string path = (std::filesystem::path(*conf_dir) / kSiteFileName).string();
      auto entries = ReadPropertiesFile(path);
      if (!entries.ok() && entries.code() != ErrorCode::kNotFound) return entries.failure();
      if (entries.ok()) {
        std::vector<Entry> site;
        for (PropertiesEntry& e : *entries) {
          site.push_back(
              {std::move(e.key), std::move(e.value), ConfigSource::SiteFile(path, e.line)});
        }
        conf = build(site);
        conf.site_file_ = path;
      }
    }
    // A conf dir that does not resolve is reported by Resolve() below.
  }
  if (Status st = conf.Resolve(); !st.ok()) return st.failure();
  return conf;
}

const Configuration::Value& Configuration::TypedValue(PropertyKey key, PropertyType type,
                                                      const char* getter) const {
  const PropertyDef& def = GetPropertyDef(key);
  if (def.type != type) {
    Die(fmt::format("{}({}) on a property of type {}", getter, def.name,
                    PropertyTypeName(def.type)));
  }
  return values_[Index(key)];
}

bool Configuration::GetBool(PropertyKey key) const {
  return std::get<bool>(TypedValue(key, PropertyType::kBool, "GetBool"));
}

int64_t Configuration::GetInt(PropertyKey key) const {
  return std::get<int64_t>(TypedValue(key, PropertyType::kInt, "GetInt"));
}

int64_t Configuration::GetBytes(PropertyKey key) const {
  return std::get<int64_t>(TypedValue(key, PropertyType::kBytes, "GetBytes"));
}

const std::vector<int64_t>& Configuration::GetBytesList(PropertyKey key) const {
  return std::get<std::vector<int64_t>>(TypedValue(key, PropertyType::kBytesList, "GetBytesList"));
}

std::chrono::milliseconds Configuration::GetDuration(PropertyKey key) const {
  return std::get<std::chrono::milliseconds>(
      TypedValue(key, PropertyType::kDuration, "GetDuration"));
}

const std::string& Configuration::GetString(PropertyKey key) const { return resolved_[Index(key)]; }

const std::string& Configuration::GetEnum(PropertyKey key) const {
  (void)TypedValue(key, PropertyType::kEnum, "GetEnum");
  return resolved_[Index(key)];
}

const std::vector<std::string>& Configuration::GetList(PropertyKey key) const {
  return std::get<std::vector<std::string>>(TypedValue(key, PropertyType::kList, "GetList"));
}

bool Configuration::IsSet(PropertyKey key) const {
  const auto& s = settings_[Index(key)];
  return s && s->source.kind != ConfigSourceKind::kDefault;
}

const ConfigSource& Configuration::GetSource(PropertyKey key) const {
  static const ConfigSource kDefault;
  const auto& s = settings_[Index(key)];
  return s ? s->source : kDefault;
}

std::optional<std::string> Configuration::Lookup(std::string_view name) const {
  if (const PropertyDef* def = FindProperty(name)) return resolved_[Index(def->key)];
  if (!unregistered_.contains(name)) return std::nullopt;
  Resolver resolver(*this);
  Result<std::string> text = resolver.ResolveName(std::string(name));
  // Resolve() checked every set key, so this cannot fail.
  if (!text.ok()) Die(fmt::format("{} stopped resolving", name));
  return *text;
}

Status Configuration::Set(PropertyKey key, std::string_view value, ConfigSource source) {
  return Set(GetPropertyDef(key).name, value, std::move(source));
}

Status Configuration::Set(std::string_view name, std::string_view value, ConfigSource source) {
  const PropertyDef* def = FindProperty(name);
  if (def == nullptr) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("unknown property {} (from {})", name, source.ToString()));
  }
  const int i = Index(def->key);
  std::optional<Setting> previous = settings_[i];
  Put(name, TrimWhitespace(value), source);
  if (Status st = Resolve(); !st.ok()) {
    settings_[i] = std::move(previous);
    Status restored = Resolve();
    if (!restored.ok()) Die("a configuration that validated stopped validating");
    return st;
  }
  return Ok();
}

std::vector<ConfigEntry> Configuration::Entries() const {
  std::vector<ConfigEntry> out;
  for (const PropertyDef& def : AllProperties()) {
    const int i = Index(def.key);
    const auto& s = settings_[i];
    out.push_back(ConfigEntry{std::string(def.name), resolved_[i],
                              s ? s->raw : std::string(def.default_value),
                              s ? s->source : ConfigSource::Default(), true});
  }
  for (const auto& [name, setting] : unregistered_) {
    out.push_back(ConfigEntry{name, *Lookup(name), setting.raw, setting.source, false});
  }
  return out;
}

}  // namespace alluxio
