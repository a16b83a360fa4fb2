#ifndef SYNCLINE_COPENSSL_SHIM_H
#define SYNCLINE_COPENSSL_SHIM_H

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/* An HMAC-SHA-256 context keyed with `key`, or NULL when OpenSSL cannot make one.
 *
 * EVP_MAC_CTX_new takes its own reference to the fetched algorithm, so the fetch is released here
 * (EVP_MAC(3)). A NULL key would mean "keep the previous key", so an empty key is passed as a
 * pointer to zero bytes. The caller frees the context with EVP_MAC_CTX_free. */
static inline EVP_MAC_CTX *syncline_hmac_sha256_new(const unsigned char *key, size_t length)
{
    static const unsigned char empty = 0;
    char digest[] = "SHA256";
    OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL)
        return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (context == NULL)
        return NULL;
    if (EVP_MAC_init(context, key != NULL ? key : &empty, length, parameters) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

#endif
