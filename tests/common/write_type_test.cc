#include "core/common/write_type.h"

#include <gtest/gtest.h>

namespace alluxio {
namespace {

TEST(WriteTypeTest, ParsesAlluxiosNamesInAnyCase) {
  EXPECT_EQ(*ParseWriteType("CACHE_THROUGH"), WriteType::kCacheThrough);
  EXPECT_EQ(*ParseWriteType("must_cache"), WriteType::kMustCache);
  EXPECT_EQ(*ParseWriteType("Through"), WriteType::kThrough);
  // Before issue 18 ASYNC_THROUGH was taken for CACHE_THROUGH.
  EXPECT_EQ(*ParseWriteType("ASYNC_THROUGH"), WriteType::kAsyncThrough);
  EXPECT_EQ(ParseWriteType("NONE").code(), ErrorCode::kInvalidArgument);
  for (WriteType t : {WriteType::kCacheThrough, WriteType::kMustCache, WriteType::kThrough,
                      WriteType::kAsyncThrough}) {
    EXPECT_EQ(*ParseWriteType(WriteTypeName(t)), t);
  }
}

TEST(WriteTypeTest, WhatEachTypeWritesWhere) {
  EXPECT_TRUE(WritesUfsAtCompletion(WriteType::kCacheThrough));
  EXPECT_TRUE(WritesUfsAtCompletion(WriteType::kThrough));
  EXPECT_FALSE(WritesUfsAtCompletion(WriteType::kMustCache));
  EXPECT_FALSE(WritesUfsAtCompletion(WriteType::kAsyncThrough));
  EXPECT_TRUE(RequiresCache(WriteType::kMustCache));
  EXPECT_TRUE(RequiresCache(WriteType::kAsyncThrough));
  EXPECT_FALSE(RequiresCache(WriteType::kCacheThrough));
  EXPECT_FALSE(RequiresCache(WriteType::kThrough));
}

}  // namespace
}  // namespace alluxio
