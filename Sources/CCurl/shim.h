#ifndef TOCSIN_CCURL_H
#define TOCSIN_CCURL_H
#include <curl/curl.h>
#endif
