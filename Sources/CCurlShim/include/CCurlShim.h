#ifndef TOCSIN_CCURL_SHIM_H
#define TOCSIN_CCURL_SHIM_H

#include <curl/curl.h>

/// Typed wrappers around libcurl's variadic curl_easy_setopt / curl_easy_getinfo,
/// which Swift cannot call directly. One wrapper per argument type.

typedef size_t (*tocsin_curl_data_callback)(char *data, size_t size, size_t nmemb, void *userdata);

CURLcode tocsin_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode tocsin_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode tocsin_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode tocsin_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode tocsin_curl_setopt_callback(CURL *handle, CURLoption option, tocsin_curl_data_callback callback);
CURLcode tocsin_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode tocsin_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);

#endif
