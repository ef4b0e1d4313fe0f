// CCrypto shim: OpenSSL's libcrypto SHA-256 (Debian libssl-dev). The plain SHA256_* calls are
// deprecated in OpenSSL 3 in favour of EVP, but they are the same assembly (SHA-NI / AVX2
// chosen at load time) without the provider lookup, and SHA256_CTX is a plain struct that
// copies as a value, which is what HashKit.SHA256 needs.
#ifndef MACROOPT_CCRYPTO_SHIM_H
#define MACROOPT_CCRYPTO_SHIM_H
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#endif
