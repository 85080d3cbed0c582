/* MAC masquerade rules: unicast required, locally administered expected (SOL3523). */
#ifndef FERRY_COMPILER_MACMASK_H
#define FERRY_COMPILER_MACMASK_H

#include <stdbool.h>
#include <stdint.h>

bool mac_is_multicast(const uint8_t mac[6]);
bool mac_is_local(const uint8_t mac[6]);
/* The locally administered address SOL3523 derives: bit 1 of the first octet set. */
void mac_derive_local(const uint8_t in[6], uint8_t out[6]);

#endif
