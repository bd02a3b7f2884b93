// HttpMetrics: counting by (route, status) and the Prometheus text it renders.
#include "bridge/http/http_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace litc::bridge {
namespace {

constexpr char kHeader[] =
    "# HELP litc_bridge_http_requests_total HTTP requests answered, by route and status.\n"
    "# TYPE litc_bridge_http_requests_total counter\n";
constexpr char kErrorsHeader[] =
    "# HELP litc_bridge_http_errors_total HTTP error answers, by error code.\n"
    "# TYPE litc_bridge_http_errors_total counter\n";

TEST(HttpMetrics, RendersOnlyHelpAndTypeBeforeAnyRequest) {
  HttpMetrics metrics;
  std::string out;
  metrics.render(out);
  EXPECT_EQ(out, std::string(kHeader) + kErrorsHeader);
  EXPECT_EQ(metrics.count("jobs_get", 200), 0u);
}

TEST(HttpMetrics, CountsByRouteAndStatusAndRendersSortedSeries) {
  HttpMetrics metrics;
  metrics.record("jobs_get", 200);
  metrics.record("jobs_get", 200);
  metrics.record("jobs_get", 404);
  metrics.record("healthz", 200);
  EXPECT_EQ(metrics.count("jobs_get", 200), 2u);
  EXPECT_EQ(metrics.count("jobs_get", 404), 1u);
  EXPECT_EQ(metrics.count("healthz", 200), 1u);
  EXPECT_EQ(metrics.count("healthz", 500), 0u);

  std::string out = "# existing\n";
  metrics.render(out);  // appends
  EXPECT_EQ(out, std::string("# existing\n") + kHeader +
                     "litc_bridge_http_requests_total{route=\"healthz\",status=\"200\"} 1\n"
                     "litc_bridge_http_requests_total{route=\"jobs_get\",status=\"200\"} 2\n"
                     "litc_bridge_http_requests_total{route=\"jobs_get\",status=\"404\"} 1\n" +
                     kErrorsHeader);
}

TEST(HttpMetrics, CountsErrorAnswersByTheirCode) {
  HttpMetrics metrics;
  metrics.record("jobs_submit", 400, "malformed_json");
  metrics.record("jobs_submit", 400, "malformed_json");
  metrics.record("jobs_get", 404, "not_found");
  metrics.record("jobs_get", 200);
  EXPECT_EQ(metrics.errors("malformed_json"), 2u);
  EXPECT_EQ(metrics.errors("not_found"), 1u);
  EXPECT_EQ(metrics.errors("queue_full"), 0u);
  std::string out;
  metrics.render(out);
  EXPECT_NE(out.find("litc_bridge_http_errors_total{code=\"malformed_json\"} 2\n"),
            std::string::npos);
  EXPECT_NE(out.find("litc_bridge_http_errors_total{code=\"not_found\"} 1\n"), std::string::npos);
}

TEST(HttpMetrics, EscapesBackslashQuoteAndNewlineInLabelValues) {
  HttpMetrics metrics;
  metrics.record("a\\b\"c\nd", 400);
  std::string out;
  metrics.render(out);
  EXPECT_EQ(out,
            std::string(kHeader) +
                "litc_bridge_http_requests_total{route=\"a\\\\b\\\"c\\nd\",status=\"400\"} 1\n" +
                kErrorsHeader);
}

TEST(HttpMetrics, CountsEveryRecordFromConcurrentThreads) {
  HttpMetrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) metrics.record(t % 2 == 0 ? "even" : "odd", 200);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(metrics.count("even", 200), 2000u);
  EXPECT_EQ(metrics.count("odd", 200), 2000u);
}

}  // namespace
}  // namespace litc::bridge
