// Conversions between the project's types and their Cap'n Proto wire forms (schema/*.capnp).
// Error codes convert with exhaustive switches in both directions, so a code added on one side
// fails to compile until the other side has it.
#pragma once

#include <capnp/list.h>

#include <map>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/common/file_info.h"
#include "core/common/result.h"
#include "core/common/write_type.h"
#include "schema/common.capnp.h"
#include "schema/master.capnp.h"

namespace alluxio {

wire::ErrorCode ToWire(ErrorCode code);
ErrorCode FromWire(wire::ErrorCode code);

// An ok Status has code `none`.
void ToWire(const Status& status, wire::Status::Builder out);
void ToWire(const Error& error, wire::Status::Builder out);
Status FromWire(wire::Status::Reader status);

void ToWire(const FileInfo& info, wire::FileInfo::Builder out);
FileInfo FromWire(wire::FileInfo::Reader info);

wire::WriteType ToWire(WriteType type);
WriteType FromWire(wire::WriteType type);

std::vector<uint64_t> FromWire(capnp::List<uint64_t>::Reader ids);
void ToWire(const std::vector<uint64_t>& ids, capnp::List<uint64_t>::Builder out);

// A mount's options (key → value); `out` has options.size() elements.
std::map<std::string, std::string> FromWire(capnp::List<wire::MountOption>::Reader options);
void ToWire(const std::map<std::string, std::string>& options,
            capnp::List<wire::MountOption>::Builder out);

}  // namespace alluxio
