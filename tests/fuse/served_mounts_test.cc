// ServedMounts: who gets a change, in which order, and that Remove and Flush wait for the
// delivery thread.
#include "core/fuse/served_mounts.h"

#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace alluxio::fuse {
namespace {

using Kind = ServedMounts::Change::Kind;

class Recorder : public ServedMounts::Member {
 public:
  void ChangedElsewhere(const ServedMounts::Change& change) override {
    std::lock_guard lock(mu_);
    seen_.push_back(change.path + (change.to.empty() ? "" : ">" + change.to));
  }
  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> seen_;
};

TEST(ServedMountsTest, AChangeReachesEveryOtherMemberInOrder) {
  ServedMounts served;
  Recorder a, b, c;
  served.Add(&a);
  served.Add(&b);
  served.Add(&c);
  served.Changed(&a, {Kind::kRemoved, "/x", {}});
  served.Changed(&b, {Kind::kRenamed, "/y", "/z"});
  served.Changed(&a, {Kind::kCreated, "/w", {}});
  served.Flush();
  EXPECT_EQ(a.seen(), (std::vector<std::string>{"/y>/z"}));
  EXPECT_EQ(b.seen(), (std::vector<std::string>{"/x", "/w"}));
  EXPECT_EQ(c.seen(), (std::vector<std::string>{"/x", "/y>/z", "/w"}));
  served.Remove(&a);
  served.Remove(&b);
  served.Remove(&c);
}

TEST(ServedMountsTest, ALoneMemberGetsOnlyWhatItLearnt) {
  ServedMounts served;
  Recorder a;
  served.Add(&a);
  served.Changed(&a, {Kind::kRemoved, "/x", {}});  // its own kernel made it: nobody to tell
  served.ChangedHere(&a, {Kind::kGone, "/y", {}});
  served.Flush();
  EXPECT_EQ(a.seen(), (std::vector<std::string>{"/y"}));
  served.Remove(&a);
}

TEST(ServedMountsTest, ARemovedMemberGetsNothingMore) {
  ServedMounts served;
  Recorder a, b;
  served.Add(&a);
  served.Add(&b);
  served.Remove(&b);
  served.Changed(&a, {Kind::kRemoved, "/x", {}});
  served.ChangedHere(&b, {Kind::kGone, "/y", {}});
  served.Flush();
  EXPECT_TRUE(b.seen().empty());
  served.Remove(&a);
}

}  // namespace
}  // namespace alluxio::fuse
