# Test service of the RPC layer (tests/rpc, bench/rpc_bench).
@0xcffb1d542ce0c382;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("alluxio::rpc::test");

interface RpcTest {
  ping @0 ();
  # Returns `data` unchanged.
  echo @1 (data :Data) -> (data :Data);
  # Returns `size` bytes of a fixed pattern (byte i = i % 251).
  fetch @2 (size :UInt32) -> (data :Data);
  # Returns after `millis` ms; 0xFFFFFFFF never returns (until cancelled by the caller).
  slow @3 (millis :UInt32);
  # How many slow calls the server dropped because the caller cancelled them.
  cancelledCount @4 () -> (count :UInt64);
  # Opens an upload: stream chunks with write(), end with finish().
  upload @5 () -> (sink :Sink);
  # The server's process id (tests that kill the server check they reached the right one).
  pid @6 () -> (pid :Int32);
}

interface Sink {
  write @0 (data :Data) -> stream;
  # Ends the upload; reports what arrived. Fails if any write failed.
  finish @1 () -> (bytes :UInt64, checksum :UInt64);
}
