#include "rpc/fault_injection.h"

#include <mutex>
#include <optional>

#include <capnp/membrane.h>
#include <fmt/format.h>

#include "core/common/config_value.h"
#include "core/common/logging.h"
#include "core/common/watched_file.h"
#include "rpc/await.h"

namespace alluxio::rpc {
namespace {

// The commands in force and the control file they come from. Thread-safe.
class FaultState {
 public:
  FaultState(std::string control_file, std::shared_ptr<capnp::SchemaLoader> methods)
      : control_file_(std::move(control_file), std::chrono::milliseconds(100)),
        methods_(std::move(methods)) {}

  // The rule applying to this call (its count taken), if any.
  std::optional<RpcFaultRule> Take(uint64_t interface_id, uint16_t method_id) {
    std::lock_guard lock(mu_);
    if (std::optional<std::string> text = control_file_.Changed()) Install(*text);
    if (rules_.empty()) return std::nullopt;
    std::string_view name = MethodName(interface_id, method_id);
    for (RpcFaultRule& rule : rules_) {
      if (rule.count == 0 || (rule.method != "*" && rule.method != name)) continue;
      --rule.count;
      RpcFaultRule taken = rule;
      taken.method = std::string(name);
      return taken;
    }
    return std::nullopt;
  }

 private:
  void Install(const std::string& text) {
    auto rules = ParseRpcFaultRules(text);
    if (!rules.ok()) {
      ALX_LOG(kWarn, "rpc", "{}: {} (no RPC faults injected)", control_file_.path(),
              rules.error().ToString());
      rules_.clear();
      return;
    }
    ALX_LOG(kInfo, "rpc", "RPC fault injection from {}: {} rule(s)", control_file_.path(),
            rules->size());
    rules_ = std::move(rules).value();
  }

  std::string_view MethodName(uint64_t interface_id, uint16_t method_id) {
    KJ_IF_MAYBE (schema, methods_->tryGet(interface_id)) {
      auto list = schema->asInterface().getMethods();
      if (method_id < list.size()) {
        capnp::Text::Reader name = list[method_id].getProto().getName();
        return std::string_view(name.cStr(), name.size());
      }
    }
    return "?";
  }

  std::mutex mu_;
  WatchedFile control_file_;  // guarded by mu_
  std::vector<RpcFaultRule> rules_;
  const std::shared_ptr<capnp::SchemaLoader> methods_;
};

// Runs each call on `target`, then fails it as a connection lost before the answer came: the
// server did the work, the caller does not know it (lose-reply).
class LoseReply final : public capnp::Capability::Server {
 public:
  LoseReply(capnp::Capability::Client target, std::string description)
      : target_(kj::mv(target)), description_(std::move(description)) {}

  DispatchCallResult dispatchCall(
      uint64_t interface_id, uint16_t method_id,
      capnp::CallContext<capnp::AnyPointer, capnp::AnyPointer> context) override {
    capnp::AnyPointer::Reader params = context.getParams();
    auto request = target_.typelessRequest(interface_id, method_id, params.targetSize());
    request.set(params);
    context.releaseParams();
    auto lost = request.send().then([description = description_](auto&&) -> kj::Promise<void> {
      return KJ_EXCEPTION(DISCONNECTED, description);
    });
    return {kj::mv(lost), false};
  }

 private:
  capnp::Capability::Client target_;
  const std::string description_;
};

class FaultPolicy final : public capnp::MembranePolicy, public kj::Refcounted {
 public:
  explicit FaultPolicy(std::shared_ptr<FaultState> state) : state_(std::move(state)) {}

  kj::Maybe<capnp::Capability::Client> inboundCall(uint64_t interface_id, uint16_t method_id,
                                                   capnp::Capability::Client target) override {
    std::optional<RpcFaultRule> rule = state_->Take(interface_id, method_id);
    if (!rule) return nullptr;
    ALX_LOG(kInfo, "rpc", "injected RPC fault on {}", rule->method);
    auto description = kj::str("injected RPC fault: ", rule->method.c_str());
    switch (rule->action) {
      case RpcFaultRule::Action::kFail:
        return capnp::Capability::Client(capnp::newBrokenCap(kj::Exception(
            kj::Exception::Type::OVERLOADED, __FILE__, __LINE__, kj::mv(description))));
      case RpcFaultRule::Action::kDisconnect:
        return capnp::Capability::Client(capnp::newBrokenCap(kj::Exception(
            kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__, kj::mv(description))));
      case RpcFaultRule::Action::kDelay:
        return capnp::Capability::Client(
            Delay(rule->delay).then([target = kj::mv(target)]() mutable {
              return kj::mv(target);
            }));
      case RpcFaultRule::Action::kLoseReply:
        return capnp::Capability::Client(kj::heap<LoseReply>(kj::mv(target), description.cStr()));
    }
    return nullptr;
  }

  kj::Maybe<capnp::Capability::Client> outboundCall(uint64_t, uint16_t,
                                                    capnp::Capability::Client) override {
    return nullptr;  // calls the server makes on capabilities a client passed in
  }

  kj::Own<capnp::MembranePolicy> addRef() override { return kj::addRef(*this); }

 private:
  std::shared_ptr<FaultState> state_;
};

}  // namespace

Result<std::vector<RpcFaultRule>> ParseRpcFaultRules(std::string_view text) {
  std::vector<RpcFaultRule> rules;
  for (const ControlLine& line : ControlLines(text)) {
    const std::vector<std::string_view>& w = line.words;
    auto bad = [&](std::string_view why) {
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("RPC fault line {} '{}': {}", line.number, TrimWhitespace(line.text), why));
    };
    if (w[0] == "clear" && w.size() == 1) {
      rules.clear();
      continue;
    }
    RpcFaultRule rule;
    size_t count_at = 2;
    if (w[0] == "fail" && (w.size() == 2 || w.size() == 3)) {
      rule.action = RpcFaultRule::Action::kFail;
    } else if (w[0] == "disconnect" && (w.size() == 2 || w.size() == 3)) {
      rule.action = RpcFaultRule::Action::kDisconnect;
    } else if (w[0] == "lose-reply" && (w.size() == 2 || w.size() == 3)) {
      rule.action = RpcFaultRule::Action::kLoseReply;
    } else if (w[0] == "delay" && (w.size() == 3 || w.size() == 4)) {
      rule.action = RpcFaultRule::Action::kDelay;
      auto delay = ParseDuration(w[2]);
      if (!delay.ok()) return bad(delay.error().message);
      if (delay->count() < 0) return bad("negative duration");
      rule.delay = *delay;
      count_at = 3;
    } else {
      return bad(
          "expected 'fail <method> [<count>]', 'disconnect <method> [<count>]', "
          "'lose-reply <method> [<count>]', 'delay <method> <duration> [<count>]' or 'clear'");
    }
    rule.method = std::string(w[1]);
    if (w.size() > count_at) {
      auto count = ParseInt(w[count_at]);
      if (!count.ok() || *count <= 0) return bad("the count must be a positive integer");
      rule.count = static_cast<uint64_t>(*count);
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

capnp::Capability::Client WithRpcFaults(capnp::Capability::Client cap, std::string control_file,
                                        std::shared_ptr<capnp::SchemaLoader> methods) {
  if (control_file.empty()) return cap;
  ALX_LOG(kWarn, "rpc", "RPC fault injection enabled: commands are read from {}", control_file);
  auto state = std::make_shared<FaultState>(std::move(control_file), std::move(methods));
  return capnp::membrane(kj::mv(cap), kj::refcounted<FaultPolicy>(std::move(state)));
}

}  // namespace alluxio::rpc
