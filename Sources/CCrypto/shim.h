// shim.h — OpenSSL's libcrypto (Debian libssl-dev), for the HMAC-SHA256 that signs Jupyter
// messages. Chosen over swift-crypto, which adds 1–1.5 minutes to every clean build for one call.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
