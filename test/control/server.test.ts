import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../src/control/server.js';

describe('parseRequest', () => {
  it('accepts a versioned request with an id and a known method', () => {
    expect(parseRequest('{"v":1,"id":3,"method":"reload"}')).toEqual({ v: 1, id: 3, method: 'reload' });
  });

  it.each([
    ['{', /^request is not JSON/],
    ['"status"', /^request is not a JSON object/],
    ['null', /^request is not a JSON object/],
    ['{"id":1,"method":"status"}', /^protocol version undefined is not supported/],
    ['{"v":1,"id":1.5,"method":"status"}', /^id: 1.5 is not an integer/],
    ['{"v":1,"id":1,"method":"__proto__"}', /^method: "__proto__" is not one of/],
  ])('refuses %s with a STICKY_PROTOCOL error', (line, message) => {
    expect(() => parseRequest(line)).toThrow(expect.objectContaining({ code: 'STICKY_PROTOCOL', message: expect.stringMatching(message) }));
  });
});
