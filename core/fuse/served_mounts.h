// The FUSE mounts one process serves over one file system (core/fs). Each mount's kernel caches
// names and attributes (entry_timeout, attr_timeout, negative_timeout) and sees only the changes
// made through it: a name removed, replaced or created, or attributes changed, through one
// mount are told to the kernels of the others (FUSE_NOTIFY_INVAL_ENTRY, INVAL_INODE) by each
// member (FuseDispatcher), which also moves its node table along. The mount a change is made
// through needs none: its kernel made the change (unlink, rmdir, rename, create) or keeps
// nothing of a file being written. A change by another client that a mount learns of (a
// listing lacks a name its kernel holds) is delivered to that mount the same way.
//
// Changes are delivered in order, on a thread of their own, after the request that made them
// was answered: the kernel takes a directory's lock to drop an entry, and a request of that
// mount holding it may wait for a reply that waits for the delivery (two mounts changing one
// directory), so no request waits for one.
//
// Thread-safe. A member is added once it can take changes and removed before it is destroyed.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace alluxio::fuse {

class ServedMounts {
 public:
  struct Change {
    enum class Kind {
      kCreated,     // a name was made (file, directory, link): a negative entry is stale
      kReplaced,    // another file took the name, or the file's content was written
      kRemoved,     // the name and everything below it are gone
      kRenamed,     // `path` (and below) moved to `to`, replacing what was there
      kExchanged,   // `path` and `to` swapped places
      kAttributes,  // the attributes of what `path` names changed (mode, owner, times)
      kGone,        // a listing lacks the name: another client removed it (ChangedHere)
    };
    Kind kind;
    std::string path;  // file system paths ("/a/b")
    std::string to;
  };

  class Member {
   public:
    // Called on the delivery thread for each change made through another member.
    virtual void ChangedElsewhere(const Change& change) = 0;

   protected:
    ~Member() = default;
  };

  ServedMounts();
  // Delivers what is queued, then stops the delivery thread. Members must be removed first.
  ~ServedMounts();
  ServedMounts(const ServedMounts&) = delete;
  ServedMounts& operator=(const ServedMounts&) = delete;

  void Add(Member* member);
  // After it returns, `member` gets no more changes (a delivery to it in progress has ended).
  void Remove(Member* member);

  // Queues `change`, made through `origin`, for every other member; returns at once. Nothing
  // is queued while `origin` is the only member.
  void Changed(const Member* origin, Change change);

  // Queues `change`, which `member` learnt was made by another client, for `member` itself.
  void ChangedHere(Member* member, Change change);

  // Blocks until every change queued so far was delivered.
  void Flush();

 private:
  void Deliver();

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Member*> members_;
  struct Queued {
    const Member* origin;  // every member but this one gets it, or
    Member* target;        // only this one (ChangedHere)
    Change change;
  };
  std::deque<Queued> queue_;
  Member* delivering_to_ = nullptr;
  bool busy_ = false;  // a change was taken off the queue and is being delivered
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace alluxio::fuse
