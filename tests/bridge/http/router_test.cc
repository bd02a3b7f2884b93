// Router: pattern matching, parameter extraction, literal-over-parameter precedence, 404 vs 405.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "bridge/http/http_server.h"

namespace litc::bridge {
namespace {

void noop(ApiRequest&&, Respond) {}

std::string name_of(const Router::Match& m) {
  return m.name != nullptr ? *m.name : "(none)";
}

TEST(Router, MatchesLiteralPathAndExtractsParamsInOrder) {
  Router router;
  router.add(HttpVerb::get, "/healthz", "healthz", noop);
  router.add(HttpVerb::get, "/lit-compute/nodes/:id/jobs/:job", "node_job", noop);

  auto health = router.match(HttpVerb::get, "/healthz");
  ASSERT_NE(health.handler, nullptr);
  EXPECT_EQ(name_of(health), "healthz");
  EXPECT_TRUE(health.params.empty());

  auto m = router.match(HttpVerb::get, "/lit-compute/nodes/n1/jobs/j2");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(name_of(m), "node_job");
  EXPECT_EQ(m.params, (std::vector<std::string>{"n1", "j2"}));
}

TEST(Router, PrefersLiteralSegmentOverParameterWhateverTheOrderAdded) {
  Router router;
  router.add(HttpVerb::get, "/jobs/:id/:what", "by_id", noop);
  router.add(HttpVerb::get, "/jobs/pending/list", "pending", noop);
  router.add(HttpVerb::get, "/jobs/:id/list", "id_list", noop);

  EXPECT_EQ(name_of(router.match(HttpVerb::get, "/jobs/pending/list")), "pending");
  EXPECT_EQ(name_of(router.match(HttpVerb::get, "/jobs/abc/list")), "id_list");
  auto m = router.match(HttpVerb::get, "/jobs/abc/status");
  EXPECT_EQ(name_of(m), "by_id");
  EXPECT_EQ(m.params, (std::vector<std::string>{"abc", "status"}));
}

TEST(Router, Answers404ForUnknownPathAnd405ForKnownPathWithOtherMethod) {
  Router router;
  router.add(HttpVerb::post, "/jobs/submit", "jobs_submit", noop);
  router.add(HttpVerb::get, "/jobs/:id", "jobs_get", noop);

  auto missing = router.match(HttpVerb::get, "/nodes/x");
  EXPECT_EQ(missing.handler, nullptr);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.name, nullptr);

  auto wrong = router.match(HttpVerb::delete_, "/jobs/abc");
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(name_of(wrong), "jobs_get");  // so the 405 is counted under the route

  // A method that has a matching route wins over a more literal route of another method.
  auto post = router.match(HttpVerb::get, "/jobs/submit");
  ASSERT_NE(post.handler, nullptr);
  EXPECT_EQ(name_of(post), "jobs_get");
  EXPECT_EQ(post.params, (std::vector<std::string>{"submit"}));
}

TEST(Router, RequiresNonEmptyParameterAndExactSegmentCount) {
  Router router;
  router.add(HttpVerb::get, "/jobs/:id", "jobs_get", noop);
  EXPECT_EQ(router.match(HttpVerb::get, "/jobs/").status, 404u);
  EXPECT_EQ(router.match(HttpVerb::get, "/jobs").status, 404u);
  EXPECT_EQ(router.match(HttpVerb::get, "/jobs/a/b").status, 404u);
  EXPECT_EQ(router.match(HttpVerb::get, "jobs/a").status, 404u);
  EXPECT_EQ(router.match(HttpVerb::get, "").status, 404u);
}

TEST(Router, PercentDecodesParametersAfterSplittingAndKeepsMalformedEscapesRaw) {
  Router router;
  router.add(HttpVerb::get, "/jobs/:id", "jobs_get", noop);
  EXPECT_EQ(router.match(HttpVerb::get, "/jobs/a%20b%2Fc").params,
            (std::vector<std::string>{"a b/c"}));
  EXPECT_EQ(router.match(HttpVerb::get, "/jobs/bad%2").params, (std::vector<std::string>{"bad%2"}));
  EXPECT_EQ(router.match(HttpVerb::get, "/jobs/bad%zz").params,
            (std::vector<std::string>{"bad%zz"}));
}

TEST(Router, MatchesRootPattern) {
  Router router;
  router.add(HttpVerb::get, "/", "root", noop);
  EXPECT_EQ(name_of(router.match(HttpVerb::get, "/")), "root");
  EXPECT_EQ(router.match(HttpVerb::get, "/x").status, 404u);
}

TEST(Router, RejectsBadPatternsAndDuplicateRoutesAtSetup) {
  Router router;
  router.add(HttpVerb::get, "/jobs/:id", "jobs_get", noop);
  EXPECT_THROW(router.add(HttpVerb::get, "jobs", "x", noop), std::invalid_argument);
  EXPECT_THROW(router.add(HttpVerb::get, "/jobs/:", "x", noop), std::invalid_argument);
  EXPECT_THROW(router.add(HttpVerb::get, "/jobs//x", "x", noop), std::invalid_argument);
  EXPECT_THROW(router.add(HttpVerb::get, "/x", "", noop), std::invalid_argument);
  EXPECT_THROW(router.add(HttpVerb::get, "/x", "x", Handler{}), std::invalid_argument);
  EXPECT_THROW(router.add(HttpVerb::get, "/jobs/:other", "dup", noop), std::invalid_argument);
  router.add(HttpVerb::post, "/jobs/:id", "jobs_post", noop);  // another method is fine
}

}  // namespace
}  // namespace litc::bridge
