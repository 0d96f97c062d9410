// 128-bit random ids in Kafka's base64url form (topic ids, incarnation ids), drawn from the
// node's own random stream so they are deterministic under simulation.

export function randomUuid(random: () => number): string {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setUint32(i * 4, Math.floor(random() * 0x100000000));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
