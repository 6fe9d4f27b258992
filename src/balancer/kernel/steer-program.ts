/**
 * The reuseport program: classic BPF that hashes a connection's source address to the
 * index of its slot's socket, exactly as the primary's hashKey + Rendezvous do, so an
 * address lands on one slot whichever side accepts it. Pure: no I/O.
 *
 * For TCP the kernel runs it with the data pulled past the TCP header, so the address is
 * read at negative offsets from the network header (SKF_NET_OFF). One program serves IPv4,
 * IPv6 and dual-stack sockets: it branches on the IP version nibble.
 */
import { Assembler, BPF, MAX_INSNS, SKF_NET_OFF, type Insn } from './cbpf.js';
import {
  GOLDEN, MIX_MUL1, MIX_MUL2, Rendezvous, SCORE_SHIFT, V4_BASIS, V6_BASIS, hashKey, slotSalt,
} from '../../routing/hash.js';
import { addressKey, ipv4MaskWord, ipv6MaskWords, type PrefixOptions } from '../../routing/address.js';

export interface SteerOptions extends PrefixOptions {
  slots: number;
  seed: number;
}

const NET = SKF_NET_OFF;
const IPV4_SRC = NET + 12;
const IPV6_SRC = NET + 8;
/** Scratch words: the key hash, its shifted copy, the best score so far and its slot. */
const M_HASH = 0;
const M_SHIFTED = 1;
const M_BEST = 2;
const M_SLOT = 3;

const { LD, LDX, ST, ALU, RET, MISC, W, B, IMM, ABS, MEM } = BPF;

/** Instructions per slot after the first (the score, then keep it if it is the best). */
const PER_SLOT = 21;
/** Fixed part: version test, IPv4-mapped test, both address hashes, the join and the return. */
const FIXED_MAX = 100;

/** The most slots one program can steer (BPF_MAXINSNS bounds it). */
export const MAX_STEER_SLOTS = Math.floor((MAX_INSNS - FIXED_MAX) / PER_SLOT);

export function steeringProgram(options: SteerOptions): Insn[] {
  const { slots, seed } = options;
  if (!Number.isInteger(slots) || slots < 1 || slots > MAX_STEER_SLOTS) {
    throw new RangeError(`a reuseport program steers 1 to ${MAX_STEER_SLOTS} slots, not ${slots}`);
  }
  const a = new Assembler();
  if (slots === 1) return a.op(RET | BPF.K, 0).assemble();

  a.op(LD | B | ABS, NET).op(ALU | BPF.RSH | BPF.K, 4).jump(BPF.JEQ, 6, null, 'v4');

  // An IPv4-mapped IPv6 source hashes as the IPv4 address it carries, as addressKey folds it.
  a.op(LD | W | ABS, IPV6_SRC).jump(BPF.JEQ, 0, null, 'v6');
  a.op(LD | W | ABS, IPV6_SRC + 4).jump(BPF.JEQ, 0, null, 'v6');
  a.op(LD | W | ABS, IPV6_SRC + 8).jump(BPF.JEQ, 0xffff, null, 'v6');
  a.op(LD | W | ABS, IPV6_SRC + 12).ja('v4-word');

  a.label('v6');
  const masks6 = ipv6MaskWords(options.ipv6Prefix);
  for (let i = 0; i < 4; i++) {
    if (i > 0) a.op(MISC | BPF.TAX);
    loadMasked(a, IPV6_SRC + 4 * i, masks6[i]!);
    if (i === 0) a.op(ALU | BPF.XOR | BPF.K, V6_BASIS ^ seed);
    else a.op(ALU | BPF.XOR | BPF.X);
    mix32(a);
  }
  a.ja('join');

  a.label('v4').op(LD | W | ABS, IPV4_SRC);
  a.label('v4-word');
  const mask4 = ipv4MaskWord(options.ipv4Prefix);
  if (mask4 !== 0xffffffff) a.op(ALU | BPF.AND | BPF.K, mask4);
  a.op(ALU | BPF.XOR | BPF.K, V4_BASIS ^ seed);
  mix32(a);

  a.label('join').op(ST, M_HASH).op(ALU | BPF.RSH | BPF.K, SCORE_SHIFT).op(ST, M_SHIFTED);
  for (let slot = 0; slot < slots; slot++) {
    // score = mix32(imul(hash ^ salt, GOLDEN) ^ (hash >>> SCORE_SHIFT)), as Rendezvous.score.
    a.op(LD | W | MEM, M_HASH).op(ALU | BPF.XOR | BPF.K, slotSalt(slot, seed)).op(ALU | BPF.MUL | BPF.K, GOLDEN);
    a.op(LDX | W | MEM, M_SHIFTED).op(ALU | BPF.XOR | BPF.X);
    mix32(a);
    if (slot === 0) {
      a.op(ST, M_BEST).op(LD | IMM, 0).op(ST, M_SLOT);
      continue;
    }
    // Strictly greater, unsigned: on a tie the lower slot wins, as in Rendezvous.pick.
    const keep = `keep-${slot}`;
    a.op(LDX | W | MEM, M_BEST).jumpX(BPF.JGT, null, keep);
    a.op(ST, M_BEST).op(LD | IMM, slot).op(ST, M_SLOT);
    a.label(keep);
  }
  a.op(LD | W | MEM, M_SLOT).op(RET | BPF.A);
  return a.assemble();
}

/** The slot the primary's path gives a client address when every slot is up: what the program returns. */
export function slotOfAddress(address: string, options: SteerOptions): number {
  const key = addressKey(address, options);
  return new Rendezvous(options.slots, options.seed).pick(hashKey(key ?? '', options.seed), () => true);
}

function loadMasked(a: Assembler, offset: number, mask: number): void {
  if (mask === 0) {
    a.op(LD | IMM, 0);
    return;
  }
  a.op(LD | W | ABS, offset);
  if (mask !== 0xffffffff) a.op(ALU | BPF.AND | BPF.K, mask);
}

/** mix32 (murmur3's finaliser) on A; clobbers X. */
function mix32(a: Assembler): void {
  for (const [shift, mul] of [[16, MIX_MUL1], [13, MIX_MUL2], [16, 0]] as const) {
    a.op(MISC | BPF.TAX).op(ALU | BPF.RSH | BPF.K, shift).op(ALU | BPF.XOR | BPF.X);
    if (mul) a.op(ALU | BPF.MUL | BPF.K, mul);
  }
}
