#!/bin/sh
# Writes the large benchmark config to stdout: 4,094 VLANs, 4,094 self IPs, 100,000 routes.
# Every route's gateway sits inside a self IP's network, so the config is valid as a whole.
vlans=${1:-4094}
routes=${2:-100000}
awk -v vlans="$vlans" -v routes="$routes" 'BEGIN {
	for (i = 1; i <= vlans; i++) {
		printf "net vlan /Common/v%d {\n    interfaces {\n        eth%d { tagged }\n    }\n    tag %d\n}\n", i, i % 8, i
	}
	for (i = 1; i <= vlans; i++) {
		a = int(i / 256); b = i % 256
		printf "net self /Common/10.%d.%d.1 {\n    address 10.%d.%d.1/24\n    vlan /Common/v%d\n}\n", a, b, a, b, i
	}
	for (i = 0; i < routes; i++) {
		v = i % vlans + 1
		printf "net route /Common/r%d {\n    gw 10.%d.%d.254\n    network %d.%d.%d.0/24\n}\n", i, int(v / 256), v % 256, 20 + int(i / 65536), int(i / 256) % 256, i % 256
	}
}'
