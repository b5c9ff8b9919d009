// Remote over libgit2: fetch and push of "origin" with the store's
// credentials.

#include "services/repo_service/remote.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/url.h"
#include "services/repo_service/credentials.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/store_options.h"

namespace tracker::repo {
namespace {

// The origin remote, built from its configured URL as an anonymous remote.
// Not git_remote_lookup: in libgit2 1.5 with PCRE2 every lookup (and the
// lookup inside update_tips of a named remote) leaks its regex match data,
// ~20 KB a call; a scheduler fetching every cycle grew repo-service by
// 8 MB a second in the campaign benchmark. Fetches name their refspec, and
// pushes update refs/remotes/origin/<branch> themselves (StoreSync).
absl::StatusOr<RemotePtr> LookupOrigin(git_repository* repo) {
  git_config* raw_config = nullptr;
  GIT_RETURN_IF_ERROR(git_repository_config_snapshot(&raw_config, repo), "read config");
  ConfigPtr config(raw_config);
  const char* url = nullptr;
  if (git_config_get_string(&url, config.get(), "remote.origin.url") != 0 || url == nullptr) {
    git_error_clear();
    return absl::FailedPreconditionError(
        "the clone has no remote 'origin'; start repo-service with --remote");
  }
  git_remote_create_options opts = GIT_REMOTE_CREATE_OPTIONS_INIT;
  opts.repository = repo;
  opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_remote_create_with_opts(&raw, url, &opts), "open remote origin");
  return RemotePtr(raw);
}

// A remote that cannot be reached is worth retrying, not a bug of ours.
absl::Status Unreachable(absl::Status s) {
  return s.code() == absl::StatusCode::kInternal ? absl::UnavailableError(s.message()) : s;
}

// libgit2 passes one payload to every callback of a push.
struct PushPayload {
  CredentialPayload cred;
  std::string rejection;  // set when the remote refused the update
  git_oid pushed{};       // what the update sends, from the negotiation
};

int OnPushCredential(git_credential** out, const char* url, const char* user,
                     unsigned int types, void* data) {
  return CredentialCallback(out, url, user, types, &static_cast<PushPayload*>(data)->cred);
}

int OnPushCertificate(git_cert* cert, int valid, const char* host, void* data) {
  return CertificateCheckCallback(cert, valid, host, &static_cast<PushPayload*>(data)->cred);
}

// The commit the push sends is read here, not from the ref afterwards: a
// write may move the local branch while the push is on the wire.
int OnPushNegotiation(const git_push_update** updates, size_t len, void* data) {
  if (len > 0) static_cast<PushPayload*>(data)->pushed = updates[0]->dst;  // the new value
  return 0;
}

int OnPushUpdate(const char* refname, const char* status, void* data) {
  if (status != nullptr) {
    static_cast<PushPayload*>(data)->rejection = absl::StrCat(refname, ": ", status);
  }
  return 0;
}

class Libgit2Remote : public Remote {
 public:
  explicit Libgit2Remote(const StoreOptions& options) : options_(options) {}

  absl::Status Fetch(git_repository* repo) override {
    TRACKER_ASSIGN_OR_RETURN(RemotePtr remote, LookupOrigin(repo));
    git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
    CredentialPayload payload{&options_};
    opts.callbacks.credentials = CredentialCallback;
    opts.callbacks.payload = &payload;
    if (!options_.ssh_known_hosts_path.empty()) {
      opts.callbacks.certificate_check = CertificateCheckCallback;
    }
    char spec[] = "+refs/heads/*:refs/remotes/origin/*";
    char* specs[] = {spec};
    git_strarray refspecs = {specs, 1};
    int rc = git_remote_fetch(remote.get(), &refspecs, &opts, "repo-service: fetch");
    if (rc < 0) {
      return Unreachable(
          GitStatus(rc, absl::StrCat("fetch from ", RedactUrl(git_remote_url(remote.get())))));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<PushAttempt> Push(git_repository* repo, const std::string& branch) override {
    TRACKER_ASSIGN_OR_RETURN(RemotePtr remote, LookupOrigin(repo));
    std::string refspec = absl::StrCat("refs/heads/", branch, ":refs/heads/", branch);
    // What an up-to-date remote has: the negotiation then names no update.
    TRACKER_ASSIGN_OR_RETURN(git_oid tip_before, ResolveRef(repo, absl::StrCat("refs/heads/", branch)));
    git_push_options opts = GIT_PUSH_OPTIONS_INIT;
    PushPayload payload{CredentialPayload{&options_}, "", {}};
    opts.callbacks.payload = &payload;
    opts.callbacks.credentials = OnPushCredential;
    opts.callbacks.push_negotiation = OnPushNegotiation;
    opts.callbacks.push_update_reference = OnPushUpdate;
    if (!options_.ssh_known_hosts_path.empty()) {
      opts.callbacks.certificate_check = OnPushCertificate;
    }
    char* specs[] = {refspec.data()};
    git_strarray refspecs = {specs, 1};
    const int rc = git_remote_push(remote.get(), &refspecs, &opts);
    PushAttempt out;
    out.rejected = !payload.rejection.empty() || rc == GIT_ENONFASTFORWARD;
    out.reason = payload.rejection;
    if (rc < 0 && !out.rejected) {
      absl::Status s = GitStatus(rc, absl::StrCat("push ", branch));
      // libgit2 reports a non-fast-forward from some transports as a plain
      // error; look for it before treating the push as a transport failure.
      if (!absl::StrContains(s.message(), "non-fast") &&
          !absl::StrContains(s.message(), "fast-forward")) {
        return Unreachable(s);
      }
      out.rejected = true;
      out.reason = std::string(s.message());
    }
    if (!out.rejected) out.pushed = git_oid_is_zero(&payload.pushed) ? tip_before : payload.pushed;
    return out;
  }

 private:
  const StoreOptions& options_;
};

}  // namespace

std::unique_ptr<Remote> NewLibgit2Remote(const StoreOptions& options) {
  return std::make_unique<Libgit2Remote>(options);
}

std::string OriginUrlForDisplay(git_repository* repo) {
  auto remote = LookupOrigin(repo);  // not git_remote_lookup: see there
  if (!remote.ok()) return "";
  return RedactUrl(git_remote_url(remote->get()));
}

}  // namespace tracker::repo
