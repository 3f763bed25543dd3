// TCP self-connection: connecting to a dead loopback port in the ephemeral range can pick that
// same port as the source, and TCP simultaneous open then "connects" the socket to itself with
// nobody listening. Callers treat such a connection as refused.
#pragma once

namespace alluxio {

// True if the connected socket `fd` has the same local and peer address.
bool IsSelfConnection(int fd);

}  // namespace alluxio
