/**
 * Server-side request forgery guard for webhook deliveries (issue 15
 * "Safety"). Staff type a URL, and the server calls it; so a URL must never
 * reach the producer's own network: private, link-local (the cloud metadata
 * service at 169.254.169.254), carrier-grade NAT, multicast, reserved or
 * other special ranges are always refused, and loopback unless
 * `WEBHOOK_ALLOW_LOOPBACK=true`. Plain http is only for loopback (demos and
 * tests).
 *
 * The check runs at connection time, on the addresses the name resolves to
 * then (a custom `lookup` on the request), so a name that resolved to a public
 * address when the subscription was made and to an internal one later (DNS
 * rebinding) is refused before any connection is opened. An address written
 * in the URL itself never goes through `lookup`, so it is checked before the
 * request is made.
 *
 * @module
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Addresses that are this host itself. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Ranges no webhook may reach, loopback allowance or not (IANA special-purpose
 * registries). IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) match the IPv4
 * rules; NAT64 and 6to4 prefixes, which embed an IPv4 address, are refused whole.
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID…)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254 among them)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** Where a delivery may connect. */
export interface AddressPolicy {
  /** `WEBHOOK_ALLOW_LOOPBACK`: loopback addresses are allowed (never the other internal ranges). */
  readonly allowLoopback: boolean;
}

/** A URL or an address a webhook may not be sent to. Its message names no secret. */
export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'EWEBHOOKADDRESS';
}

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/**
 * Why a delivery may not connect to `address`, or undefined when it may.
 *
 * @param address - an IPv4 or IPv6 address (no brackets)
 * @param policy - the loopback allowance
 * @param loopbackOnly - plain http: only a loopback address will do
 */
export function addressRefusal(
  address: string,
  policy: AddressPolicy,
  loopbackOnly = false,
): string | undefined {
  if (isIP(address) === 0) return `${address} is not an IP address`;
  const family = familyOf(address);
  if (LOOPBACK.check(address, family))
    return policy.allowLoopback
      ? undefined
      : `${address} is a loopback address (WEBHOOK_ALLOW_LOOPBACK is off)`;
  if (INTERNAL.check(address, family)) return `${address} is in an internal or reserved range`;
  if (loopbackOnly) return `plain http may only go to a loopback address, not ${address}`;
  return undefined;
}

/** The host of a URL without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Why a subscription may not use `url`, or undefined: https, or plain http
 * to loopback when loopback is allowed; no credentials in it; and an address
 * written in it must be allowed. A name is checked when connecting.
 */
export function urlRefusal(url: URL, policy: AddressPolicy): string | undefined {
  if (url.username !== '' || url.password !== '') return 'the URL must not hold credentials';
  const host = hostOf(url);
  if (url.protocol === 'http:') {
    if (!policy.allowLoopback)
      return 'the URL must use https (plain http only to loopback with WEBHOOK_ALLOW_LOOPBACK=true)';
    // A name is held to loopback when it is resolved (guardedLookup's loopbackOnly).
  } else if (url.protocol !== 'https:') return 'the URL must use https';
  if (isIP(host) !== 0) return addressRefusal(host, policy, url.protocol === 'http:');
  if (host === '') return 'the URL has no host';
  return undefined;
}

/** Resolves a host name to every address it has (the system resolver by default). */
export type Resolver = (
  hostname: string,
) => Promise<readonly { address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * A `lookup` for `http.request` that resolves the name and refuses the
 * connection when any address it resolves to is not allowed, so no socket
 * is ever opened to it.
 *
 * @param policy - the loopback allowance
 * @param loopbackOnly - plain http: every address must be loopback
 * @param resolve - the resolver (tests pass one that answers a fixed address)
 */
export function guardedLookup(
  policy: AddressPolicy,
  loopbackOnly: boolean,
  resolve: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const wanted = found.filter((a) => !options.family || a.family === options.family);
        if (wanted.length === 0)
          return callback(
            Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
            '',
          );
        // One refused address refuses the name: an attacker's name may list several.
        for (const a of wanted) {
          const refusal = addressRefusal(a.address, policy, loopbackOnly);
          if (refusal) return callback(new ForbiddenAddressError(`${hostname}: ${refusal}`), '');
        }
        if (options.all)
          return callback(
            null,
            wanted.map((a) => ({ ...a })),
          );
        const first = wanted[0]!;
        return callback(null, first.address, first.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, ''),
    );
  };
}

/**
 * Throws {@link ForbiddenAddressError} when a delivery to `url` must not be
 * attempted at all: checked right before every request, since an address in
 * the URL itself bypasses `lookup`.
 */
export function assertDeliverableUrl(url: URL, policy: AddressPolicy): void {
  const refusal = urlRefusal(url, policy);
  if (refusal) throw new ForbiddenAddressError(refusal);
}
