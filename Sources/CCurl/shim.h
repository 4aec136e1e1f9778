#ifndef NEWSWIRE_CCURL_SHIM_H
#define NEWSWIRE_CCURL_SHIM_H

// libcurl's setopt/getinfo functions are variadic, which Swift cannot call.
// One typed inline wrapper per argument kind (curl_easy_setopt(3): "the
// argument must be a long / char* / function pointer / curl_off_t").
#include <curl/curl.h>

typedef size_t (*ccurl_write_fn)(char *data, size_t size, size_t count, void *context);
typedef int (*ccurl_xferinfo_fn)(void *context, curl_off_t dltotal, curl_off_t dlnow,
                                 curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_write_function(CURL *handle, CURLoption option, ccurl_write_fn value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_easy_setopt_xferinfo_function(CURL *handle, ccurl_xferinfo_fn value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

// CURLOPT_OPENSOCKETFUNCTION: sees each resolved address before a socket is opened
// (curl_easy_setopt(3)); returning CURL_SOCKET_BAD refuses it without any connection.
typedef curl_socket_t (*ccurl_opensocket_fn)(void *context, curlsocktype purpose, struct curl_sockaddr *address);
static inline CURLcode ccurl_easy_setopt_opensocket_function(CURL *handle, ccurl_opensocket_fn value) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, value);
}
typedef int (*ccurl_debug_fn)(CURL *handle, curl_infotype type, char *data, size_t size, void *context);
static inline CURLcode ccurl_easy_setopt_debug_function(CURL *handle, ccurl_debug_fn value) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, value);
}
static inline curl_socket_t ccurl_socket_bad(void) { return CURL_SOCKET_BAD; }
// Copies the IP address of `address` into `bytes` (room for 16); returns 4, 16, or 0 for
// another family. curl_sockaddr's `addr` has room for the whole sockaddr_in6.
#include <netinet/in.h>
#include <string.h>
static inline int ccurl_sockaddr_ip(const struct curl_sockaddr *address, unsigned char *bytes) {
    if (address->family == AF_INET && address->addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(bytes, &((const struct sockaddr_in *)&address->addr)->sin_addr, 4);
        return 4;
    }
    if (address->family == AF_INET6 && address->addrlen >= sizeof(struct sockaddr_in6)) {
        memcpy(bytes, &((const struct sockaddr_in6 *)&address->addr)->sin6_addr, 16);
        return 16;
    }
    return 0;
}

static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ccurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

// CURLMsg holds a union; these read it without Swift touching the union.
static inline CURL *ccurl_msg_easy_handle(CURLMsg *msg) { return msg->easy_handle; }
static inline int ccurl_msg_is_done(CURLMsg *msg) { return msg->msg == CURLMSG_DONE; }
static inline CURLcode ccurl_msg_result(CURLMsg *msg) { return msg->data.result; }

#endif
