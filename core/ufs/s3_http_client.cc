#include "core/ufs/s3_http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

namespace alluxio {
namespace {

using Clock = std::chrono::steady_clock;

// curl_global_init once per process, before the first handle.
void GlobalInit() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  assert(done);
  (void)done;
}

// One request and its state across attempts. Owned by the loop thread once submitted.
struct Transfer {
  HttpRequest request;
  HttpResponse response;
  std::promise<HttpResponse> promise;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  size_t read_offset = 0;
  Clock::time_point due;  // of the next attempt

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(header_list);
  }

  void ResetForAttempt() {
    response.status = 0;
    response.curl_code = 0;
    response.transport_error.clear();
    response.timed_out = false;
    response.headers.clear();
    response.body.clear();
    response.sink_bytes = 0;
    response.sink_errno = 0;
    read_offset = 0;
  }
};

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = std::min(size * count, t->request.body.size() - t->read_offset);
  std::memcpy(buffer, t->request.body.data() + t->read_offset, n);
  t->read_offset += n;
  return n;
}

// Rewinds the body for a resend on the same connection (redirects, auth retries).
int OnSeek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > t->request.body.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  t->read_offset = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  const bool ok = status >= 200 && status < 300;
  if (!t->request.sink.empty() && ok) {
    size_t room = t->request.sink.size() - t->response.sink_bytes;
    size_t copy = std::min(room, n);
    std::memcpy(t->request.sink.data() + t->response.sink_bytes, data, copy);
    t->response.sink_bytes += copy;
  } else if (t->request.sink_fd >= 0 && ok) {
    const uint64_t room = t->request.sink_fd_length - t->response.sink_bytes;
    const size_t copy = static_cast<size_t>(std::min<uint64_t>(room, n));
    size_t done = 0;
    while (done < copy) {
      ssize_t w = ::pwrite(t->request.sink_fd, data + done, copy - done,
                           static_cast<off_t>(t->request.sink_fd_offset + t->response.sink_bytes));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        t->response.sink_errno = w < 0 ? errno : EIO;
        return 0;  // ends the transfer with CURLE_WRITE_ERROR (not retried)
      }
      done += static_cast<size_t>(w);
      t->response.sink_bytes += static_cast<size_t>(w);
    }
  } else {
    t->response.body.append(data, n);
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (after 100 Continue)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  t->response.headers[std::move(name)] = std::string(value);
  return n;
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(Options o) : options(std::move(o)) {
    GlobalInit();
    multi = curl_multi_init();
    assert(multi != nullptr);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options.max_connections));
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_connections));
    thread = std::thread([this] { Loop(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    curl_multi_wakeup(multi);
    thread.join();
    curl_multi_cleanup(multi);
  }

  void Configure(Transfer& t) {
    CURL* e = t.easy;
    const HttpRequest& r = t.request;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, options.request_timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnWrite);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    if (!options.sigv4_provider.empty()) {
      curl_easy_setopt(e, CURLOPT_AWS_SIGV4, options.sigv4_provider.c_str());
      curl_easy_setopt(e, CURLOPT_USERPWD, options.user_password.c_str());
    }
    if (r.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (r.method == "PUT" || r.method == "POST") {
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      curl_easy_setopt(e, CURLOPT_READFUNCTION, OnRead);
      curl_easy_setopt(e, CURLOPT_READDATA, &t);
      curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, OnSeek);
      curl_easy_setopt(e, CURLOPT_SEEKDATA, &t);
      if (r.method == "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (r.method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    for (const std::string& h : r.headers)
      t.header_list = curl_slist_append(t.header_list, h.c_str());
    t.header_list = curl_slist_append(t.header_list, "Expect:");  // no 100-continue round trip
    if (!options.sigv4_provider.empty()) {
      t.header_list = curl_slist_append(t.header_list, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
  }

  void Start(Transfer* t) {
    t->ResetForAttempt();
    ++t->response.attempts;
    curl_multi_add_handle(multi, t->easy);
    active.push_back(t);
  }

  void Finish(Transfer* t) {
    std::erase(active, t);
    t->promise.set_value(std::move(t->response));
    delete t;
  }

  void OnDone(Transfer* t, CURLcode code) {
    curl_multi_remove_handle(multi, t->easy);
    t->response.curl_code = code;
    if (code == CURLE_OK) {
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->response.status);
    } else {
      t->response.status = 0;
      t->response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
      t->response.transport_error = curl_easy_strerror(code);
    }
    if (Retryable(t->response) && t->response.attempts < options.max_attempts) {
      std::uniform_int_distribution<int64_t> jitter(0, options.backoff_base.count());
      int64_t delay =
          std::min<int64_t>(options.backoff_base.count() << (t->response.attempts - 1), 5000) +
          jitter(rng);
      t->due = Clock::now() + std::chrono::milliseconds(delay);
      std::erase(active, t);
      waiting.push_back(t);
      return;
    }
    Finish(t);
  }

  void Loop() {
    for (;;) {
      std::deque<Transfer*> incoming;
      {
        std::lock_guard lock(mu);
        if (stopping) break;
        incoming.swap(submitted);
      }
      for (Transfer* t : incoming) {
        Configure(*t);
        Start(t);
      }
      Clock::time_point now = Clock::now();
      long wait_ms = 1000;
      for (auto it = waiting.begin(); it != waiting.end();) {
        if ((*it)->due <= now) {
          Start(*it);
          it = waiting.erase(it);
        } else {
          wait_ms = std::min<long>(
              wait_ms,
              std::chrono::duration_cast<std::chrono::milliseconds>((*it)->due - now).count() + 1);
          ++it;
        }
      }
      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        OnDone(t, msg->data.result);
      }
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
    }
    // Shutting down: whatever is left fails.
    std::deque<Transfer*> rest;
    {
      std::lock_guard lock(mu);
      rest.swap(submitted);
    }
    for (Transfer* t : active) {
      curl_multi_remove_handle(multi, t->easy);
      rest.push_back(t);
    }
    active.clear();
    for (Transfer* t : waiting) rest.push_back(t);
    waiting.clear();
    for (Transfer* t : rest) {
      t->response.status = 0;
      t->response.transport_error = "client shut down";
      t->promise.set_value(std::move(t->response));
      delete t;
    }
  }

  const Options options;
  CURLM* multi = nullptr;
  std::mt19937_64 rng{std::random_device{}()};

  std::mutex mu;  // guards the two below
  bool stopping = false;
  std::deque<Transfer*> submitted;

  // Loop thread only.
  std::vector<Transfer*> active;
  std::vector<Transfer*> waiting;  // to be retried at their `due`

  std::thread thread;  // last: starts after the members above exist
};

HttpClient::HttpClient(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

std::future<HttpResponse> HttpClient::Submit(HttpRequest request) {
  auto* t = new Transfer;
  t->request = std::move(request);
  t->easy = curl_easy_init();
  assert(t->easy != nullptr);
  std::future<HttpResponse> future = t->promise.get_future();
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) {
      t->response.transport_error = "client shut down";
      t->promise.set_value(std::move(t->response));
      delete t;
      return future;
    }
    impl_->submitted.push_back(t);
  }
  curl_multi_wakeup(impl_->multi);
  return future;
}

bool HttpClient::Retryable(const HttpResponse& r) {
  if (r.status == 0) {
    switch (static_cast<CURLcode>(r.curl_code)) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_OPERATION_TIMEDOUT:
        return true;
      default:
        return false;
    }
  }
  return r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504;
}

}  // namespace alluxio
