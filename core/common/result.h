// Result<T>: a value or an Error. Expected failures travel as values (see error.h); bugs are
// assertions. [[nodiscard]]: ignoring a Result is written out as `(void)` and stays greppable.
#pragma once

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

#include "core/common/error.h"

namespace alluxio {

// Wraps an Error so that `return Fail(ErrorCode::kNotFound, "x")` converts to any Result<T>.
struct Failure {
  Error error;
};

inline Failure Fail(ErrorCode code, std::string message = {}) {
  return Failure{Error{code, std::move(message)}};
}
inline Failure Fail(Error error) { return Failure{std::move(error)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Failure failure)                                                  // NOLINT: implicit
      : state_(std::in_place_index<1>, std::move(failure.error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }
  ErrorCode code() const { return error().code; }
  // Converts the error of a failed Result into a Failure for another Result type.
  Failure failure() const { return Failure{error()}; }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure failure) : error_(std::move(failure.error)) {}  // NOLINT: implicit

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }
  ErrorCode code() const { return error().code; }
  Failure failure() const { return Failure{error()}; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace alluxio
