/**
 * The key a per-IP limit counts under. IPv4: the address. IPv6: its /64, the prefix one subscriber is usually
 * given (RFC 6177 and common ISP practice), so a client cannot reset its count by stepping through the 2^64
 * addresses it owns (issue 13, item 3). IPv4-mapped IPv6 (`::ffff:192.0.2.7`) counts as the IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function addressKey(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return ip.slice(0, 64);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of a valid IPv6 address, as lowercase hex without leading zeros. */
function expandIPv6(address: string): string[] {
  // A trailing dotted IPv4 part stands for the last two groups.
  const withoutIPv4 = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = '', tail] = withoutIPv4.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array.from({ length: tail === undefined ? 0 : missing }, () => '0'), ...tailGroups];
  return groups.map((group) => parseInt(group, 16).toString(16));
}
