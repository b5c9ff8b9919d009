#include "common/tls.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/log.h"

namespace tracker {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat("no ", what, " file given"));
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the ", what, " ", path, ": ",
                                                   text.status().message()));
  }
  return text;
}

BioPtr MemoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// The first certificate of a PEM file (the leaf of a chain).
absl::StatusOr<X509Ptr> FirstCertificate(const std::string& path, const char* what) {
  absl::StatusOr<std::string> text = ReadPem(path, what);
  if (!text.ok()) return text.status();
  BioPtr bio = MemoryBio(*text);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", what, " ", path, " holds no PEM certificate"));
  }
  return cert;
}

std::string SubjectOf(X509* cert) {
  char buffer[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buffer, sizeof buffer);
  return buffer;
}

std::string TimeText(const ASN1_TIME* t) {
  BioPtr out(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(out.get(), t);
  char* data = nullptr;
  long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// Valid now: an expired certificate in a mounted Secret is the usual reason
// for "handshake failed" on every call, so it is named at start.
absl::Status CheckValidNow(X509* cert, const std::string& path, const char* what) {
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    return absl::InvalidArgumentError(absl::StrCat("the ", what, " ", path, " (", SubjectOf(cert),
                                                   ") is not valid before ",
                                                   TimeText(X509_get0_notBefore(cert))));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("the ", what, " ", path, " (", SubjectOf(cert),
                                                   ") expired on ",
                                                   TimeText(X509_get0_notAfter(cert))));
  }
  return absl::OkStatus();
}

// The certificate (its leaf) when the files are good.
absl::StatusOr<X509Ptr> CheckIdentity(const TlsConfig& config) {
  absl::StatusOr<X509Ptr> cert = FirstCertificate(config.cert_file, "certificate");
  if (!cert.ok()) return cert.status();
  absl::Status valid = CheckValidNow(cert->get(), config.cert_file, "certificate");
  if (!valid.ok()) return valid;
  absl::StatusOr<std::string> key_text = ReadPem(config.key_file, "private key");
  if (!key_text.ok()) return key_text.status();
  BioPtr bio = MemoryBio(*key_text);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("the private key ", config.key_file, " holds no PEM private key"));
  }
  if (X509_check_private_key(cert->get(), key.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("the private key ", config.key_file,
                                                   " does not belong to the certificate ",
                                                   config.cert_file));
  }
  return cert;
}

grpc::experimental::FileWatcherCertificateProvider* NewProvider(const TlsConfig& config,
                                                                bool identity) {
  const unsigned int refresh = static_cast<unsigned int>(std::max(1, config.reload_seconds));
  if (!identity) {
    return new grpc::experimental::FileWatcherCertificateProvider(config.ca_file, refresh);
  }
  return new grpc::experimental::FileWatcherCertificateProvider(config.key_file, config.cert_file,
                                                                config.ca_file, refresh);
}

}  // namespace

absl::Status CheckTlsFiles(const TlsConfig& config, bool need_identity) {
  if (config.insecure_plaintext) return absl::OkStatus();
  absl::StatusOr<X509Ptr> ca = FirstCertificate(config.ca_file, "CA file");
  if (!ca.ok()) return ca.status();
  const bool has_identity = !config.cert_file.empty() || !config.key_file.empty();
  if (need_identity || has_identity) return CheckIdentity(config).status();
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsConfig& config) {
  if (config.insecure_plaintext) return grpc::InsecureServerCredentials();
  absl::StatusOr<X509Ptr> ca = FirstCertificate(config.ca_file, "CA file");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<X509Ptr> cert = CheckIdentity(config);
  if (!cert.ok()) return cert.status();
  // Once per process, for the server's own certificate: an expiry date in
  // the start-up log is what an operator looks for first.
  LogInfo("tls_certificate")
      .Kv("file", config.cert_file)
      .Kv("subject", SubjectOf(cert->get()))
      .Kv("not_after", TimeText(X509_get0_notAfter(cert->get())));
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider(
      NewProvider(config, /*identity=*/true));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  // Requested, and verified when sent: a service proves itself with its
  // certificate, an admin may come with a bearer token and no certificate.
  options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsConfig& config) {
  if (config.insecure_plaintext) return grpc::InsecureChannelCredentials();
  absl::Status checked = CheckTlsFiles(config, /*need_identity=*/false);
  if (!checked.ok()) return checked;
  const bool identity = !config.cert_file.empty();
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider(
      NewProvider(config, identity));
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (identity) options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address,
                                           std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(address, std::move(credentials), args);
}

}  // namespace tracker
