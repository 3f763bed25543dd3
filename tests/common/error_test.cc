#include "core/common/error.h"

#include <cerrno>

#include <gtest/gtest.h>

#include "core/common/result.h"

namespace alluxio {
namespace {

TEST(ErrorTest, MapsCodesToErrno) {
  EXPECT_EQ(ToErrno(ErrorCode::kNotFound), ENOENT);
  EXPECT_EQ(ToErrno(ErrorCode::kNotEmpty), ENOTEMPTY);
  EXPECT_EQ(ToErrno(ErrorCode::kUnsupported), EOPNOTSUPP);
  EXPECT_EQ(ErrorCodeFromErrno(ENOENT), ErrorCode::kNotFound);
  EXPECT_EQ(ErrorCodeFromErrno(EDQUOT), ErrorCode::kNoSpace);
}

TEST(ErrorTest, ErrnoErrorNamesContext) {
  Error e = ErrnoError(ENOENT, "open /x");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.ToString(), "not found: open /x: No such file or directory");
}

Result<int> Half(int x) {
  if (x % 2) return Fail(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

TEST(ResultTest, CarriesValueOrError) {
  auto good = Half(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 2);
  auto bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  Status s = bad.failure();
  EXPECT_EQ(s.error().message, "odd");
}

TEST(ErrorCodeTest, SymbolsRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    EXPECT_EQ(ErrorCodeFromSymbol(ErrorCodeSymbol(code)), code) << ErrorCodeSymbol(code);
  }
  EXPECT_EQ(ErrorCodeSymbol(ErrorCode::kNoSpace), "kNoSpace");
  EXPECT_EQ(ErrorCodeFromSymbol("kIoError"), ErrorCode::kIoError);
  EXPECT_EQ(ErrorCodeFromSymbol("EIO"), std::nullopt);
  EXPECT_EQ(ErrorCodeFromSymbol("knospace"), std::nullopt);
}

}  // namespace
}  // namespace alluxio
