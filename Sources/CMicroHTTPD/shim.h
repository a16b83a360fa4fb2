#ifndef SYNCLINE_CMICROHTTPD_SHIM_H
#define SYNCLINE_CMICROHTTPD_SHIM_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* MHD_start_daemon, MHD_get_connection_info and MHD_get_daemon_info are variadic, which Swift
 * cannot call. These wrappers pass fixed arguments through to them. */

typedef void *(*syncline_mhd_uri_log_callback)(void *cls, const char *uri, struct MHD_Connection *connection);
typedef size_t (*syncline_mhd_unescape_callback)(void *cls, struct MHD_Connection *connection, char *s);

struct syncline_mhd_settings {
    const char *host;               /* numeric IPv4 or IPv6 address */
    uint16_t port;                  /* 0 picks an ephemeral port */
    unsigned int threads;           /* thread pool size */
    unsigned int connection_limit;
    unsigned int per_ip_connection_limit;
    unsigned int connection_timeout_seconds;
    size_t connection_memory_limit; /* bounds request line and headers */
    const char *tls_key_pem;        /* NULL for plain HTTP */
    const char *tls_cert_pem;
    const char *tls_priorities;
};

/* Returns NULL when the address does not parse or the daemon cannot start (errno tells why). */
static inline struct MHD_Daemon *syncline_mhd_start(
    const struct syncline_mhd_settings *s,
    MHD_AccessHandlerCallback handler, void *handler_cls,
    MHD_RequestCompletedCallback completed, void *completed_cls,
    syncline_mhd_uri_log_callback uri_log, void *uri_log_cls,
    syncline_mhd_unescape_callback unescape, void *unescape_cls)
{
    struct sockaddr_storage address;
    memset(&address, 0, sizeof(address));
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO;
    if (inet_pton(AF_INET, s->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(s->port);
    } else if (inet_pton(AF_INET6, s->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(s->port);
        flags |= MHD_USE_IPv6;
    } else {
        return NULL;
    }

    struct MHD_OptionItem options[16];
    int n = 0;
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &address };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, s->threads, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, s->connection_limit, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->per_ip_connection_limit, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, s->connection_timeout_seconds, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)s->connection_memory_limit, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, completed_cls };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_log, uri_log_cls };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, unescape_cls };
    if (s->tls_key_pem != NULL && s->tls_cert_pem != NULL) {
        flags |= MHD_USE_TLS;
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)s->tls_key_pem };
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)s->tls_cert_pem };
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)s->tls_priorities };
    }
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

    return MHD_start_daemon(flags, s->port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* The port the daemon listens on, useful after binding port 0. */
static inline uint16_t syncline_mhd_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/* Copies the client's address into bytes (4 bytes for IPv4, 16 for IPv6) and returns how many
 * were written, or 0 when the address is unknown. An IPv4-mapped IPv6 address is returned as IPv4. */
static inline int syncline_mhd_client_address(struct MHD_Connection *connection, uint8_t bytes[16])
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) {
        return 0;
    }
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET) {
        memcpy(bytes, &((const struct sockaddr_in *)address)->sin_addr, 4);
        return 4;
    }
    if (address->sa_family == AF_INET6) {
        const struct in6_addr *v6 = &((const struct sockaddr_in6 *)address)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(v6)) {
            memcpy(bytes, &v6->s6_addr[12], 4);
            return 4;
        }
        memcpy(bytes, v6, 16);
        return 16;
    }
    return 0;
}

/* Whether the connection runs over TLS. */
static inline int syncline_mhd_connection_is_tls(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_PROTOCOL);
    return info != NULL && info->protocol != 0;
}

#endif
