import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddressResolver } from './client-address.ts';

const request = (remoteAddress: string, xff?: string | string[]) => ({
  socket: { remoteAddress } as never,
  headers: xff === undefined ? {} : { 'x-forwarded-for': xff as string },
});

test('without trusted proxies the TCP peer is the client, whatever the header says', () => {
  const addressOf = clientAddressResolver();
  assert.equal(addressOf(request('203.0.113.9', '198.51.100.1')), '203.0.113.9');
  assert.equal(addressOf(request('::ffff:203.0.113.9')), '203.0.113.9');
  assert.equal(addressOf(request('2001:db8::1')), '2001:db8::1');
  assert.equal(addressOf({ socket: {} as never, headers: {} }), 'unknown');
});

test('a trusted proxy is looked through to the rightmost hop it did not append itself', () => {
  const addressOf = clientAddressResolver(['127.0.0.1', '10.0.0.2']);
  assert.equal(addressOf(request('127.0.0.1', '198.51.100.7')), '198.51.100.7');
  // The client claimed 1.1.1.1 at the left; only the hop the proxy appended counts.
  assert.equal(addressOf(request('127.0.0.1', '1.1.1.1, 198.51.100.7')), '198.51.100.7');
  // Two trusted proxies in a row (HAProxy in front of nginx): both looked through.
  assert.equal(addressOf(request('127.0.0.1', '198.51.100.7, 10.0.0.2')), '198.51.100.7');
  assert.equal(addressOf(request('::ffff:127.0.0.1', ['198.51.100.7', '10.0.0.2'])), '198.51.100.7');
});

test('a trusted proxy that sends no usable header stands for the client', () => {
  const addressOf = clientAddressResolver(['127.0.0.1']);
  assert.equal(addressOf(request('127.0.0.1')), '127.0.0.1');
  assert.equal(addressOf(request('127.0.0.1', 'not-an-address')), '127.0.0.1');
  assert.equal(addressOf(request('127.0.0.1', '198.51.100.7, garbage')), '127.0.0.1');
});

test('a trusted proxy must be an IP address', () => {
  assert.throws(() => clientAddressResolver(['proxy.example.org']), /must be an IP address/);
});
