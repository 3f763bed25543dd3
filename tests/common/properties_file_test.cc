#include "core/common/properties_file.h"

#include <gtest/gtest.h>

#include "tests/common/test_util.h"

namespace alluxio {
namespace {

struct KV {
  std::string key;
  std::string value;
  int line;
  bool operator==(const KV&) const = default;
};

std::vector<KV> Parse(std::string_view text) {
  auto r = ParseProperties(text);
  EXPECT_TRUE(r.ok()) << r.error().message;
  std::vector<KV> out;
  if (!r.ok()) return out;
  for (const auto& e : *r) out.push_back({e.key, e.value, e.line});
  return out;
}

void PrintTo(const KV& kv, std::ostream* os) {
  *os << kv.key << "=[" << kv.value << "]@" << kv.line;
}

TEST(PropertiesFileTest, SeparatorsCommentsAndWhitespace) {
  EXPECT_EQ(Parse("# comment\n"
                  "! also a comment\n"
                  "\n"
                  "a=1\n"
                  "  b : two words  \n"
                  "c 3\n"
                  "d=\n"
                  "e\n"
                  "f = x=y:z\n"),
            (std::vector<KV>{{"a", "1", 4},
                             {"b", "two words", 5},
                             {"c", "3", 6},
                             {"d", "", 7},
                             {"e", "", 8},
                             {"f", "x=y:z", 9}}));
}

TEST(PropertiesFileTest, ContinuationLines) {
  EXPECT_EQ(Parse("list=a,\\\n"
                  "     b,\\\n"
                  "\tc\n"
                  "next=1\n"),
            (std::vector<KV>{{"list", "a,b,c", 1}, {"next", "1", 4}}));
  // An even number of backslashes is an escaped backslash, not a continuation.
  EXPECT_EQ(Parse("path=C:\\\\\nz=1"), (std::vector<KV>{{"path", "C:\\", 1}, {"z", "1", 2}}));
  // A comment line does not continue.
  EXPECT_EQ(Parse("# x \\\ny=2\n"), (std::vector<KV>{{"y", "2", 2}}));
  // Continuation at end of file.
  EXPECT_EQ(Parse("k=v\\"), (std::vector<KV>{{"k", "v", 1}}));
}

TEST(PropertiesFileTest, EscapesAndLineEndings) {
  EXPECT_EQ(Parse("a\\=b=c\\td\r\nu=\\u00e9\rk\\ x=1\n"),
            (std::vector<KV>{{"a=b", "c\td", 1}, {"u", "\xc3\xa9", 2}, {"k x", "1", 3}}));
  auto bad = ParseProperties("ok=1\nbad=\\u12\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "line 2: malformed \\uXXXX escape");
}

TEST(PropertiesFileTest, ReadsFilesAndReportsMissingOnes) {
  testing::TempDir dir;
  testing::WriteFile(dir.Sub("p.properties"), "x=1\ny=2\n");
  auto r = ReadPropertiesFile(dir.Sub("p.properties"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].key, "y");
  EXPECT_EQ((*r)[1].line, 2);

  auto missing = ReadPropertiesFile(dir.Sub("none.properties"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);

  testing::WriteFile(dir.Sub("bad.properties"), "a=\\uZZZZ\n");
  auto bad = ReadPropertiesFile(dir.Sub("bad.properties"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, dir.Sub("bad.properties") + ": line 1: malformed \\uXXXX escape");
}

}  // namespace
}  // namespace alluxio
