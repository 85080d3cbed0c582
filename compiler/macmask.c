#include "compiler/macmask.h"

#include <string.h>

bool mac_is_multicast(const uint8_t mac[6])
{
	return mac[0] & 0x01;
}

bool mac_is_local(const uint8_t mac[6])
{
	return mac[0] & 0x02;
}

void mac_derive_local(const uint8_t in[6], uint8_t out[6])
{
	memcpy(out, in, 6);
	out[0] |= 0x02;
}
