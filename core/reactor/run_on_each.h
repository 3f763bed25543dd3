// Running a closure on several reactors from a non-reactor thread and waiting for all of them:
//
//   size_t ran = RunOnEach(reactors, [&](size_t i) { lanes[i]->Open(); });
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include "core/reactor/reactor.h"

namespace alluxio {

// Posts fn(i) to reactors[i] for every i and blocks until each either ran or was dropped
// because its reactor stopped; returns how many ran. Must not be called on a reactor thread (it
// would wait for itself). fn is copied once per reactor.
size_t RunOnEach(std::span<Reactor* const> reactors, std::function<void(size_t)> fn);

}  // namespace alluxio
