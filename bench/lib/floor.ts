import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
} from 'node:crypto';
import { round } from './processes.js';

/**
 * The cryptographic floor of one cancel, measured in this process with the same
 * keys the gateway uses: CPU time (user + system) per operation over many runs.
 */

export interface CryptoFloor {
  /** One RSA-2048 PKCS#1 v1.5 SHA-256 signature: the number `efficiency` is built on. */
  signatureCpuMs: number;
  verifyCpuMs: number;
  /** AES-256-CBC of the request payload plus decryption of the answer's EncData. */
  aesCpuMs: number;
  iterations: number;
}

function cpuPerOp(iterations: number, op: () => void): number {
  for (let i = 0; i < Math.min(50, iterations); i += 1) op(); // warm up
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) op();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / iterations;
}

export function measureFloor(
  clientPrivateKey: KeyObject,
  serverPrivateKey: KeyObject,
  aesKey: string,
  aesIv: string,
  iterations: number,
): CryptoFloor {
  const key = Buffer.from(aesKey, 'ascii');
  const iv = Buffer.from(aesIv, 'ascii');
  const payload = JSON.stringify({
    PlatformID: '10000001',
    MerchantID: '10000002',
    MerchantTradeNo: 'BENCH202601151030000001',
    MerchantTradeDate: '2026/01/15 10:30:00',
  });
  const encrypt = (): string => {
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    return Buffer.concat([cipher.update(payload, 'utf8'), cipher.final()]).toString('base64');
  };
  const encData = encrypt();
  const signatureCpuMs = cpuPerOp(iterations, () => {
    createSign('sha256').update(encData).sign(clientPrivateKey, 'base64');
  });
  const answer = Buffer.from(JSON.stringify({ EncData: encData, RtnCode: 1, RtnMsg: '成功' }));
  const answerSignature = createSign('sha256').update(answer).sign(serverPrivateKey, 'base64');
  const serverPublicKey = createPublicKey(serverPrivateKey);
  const verifyCpuMs = cpuPerOp(iterations * 4, () => {
    createVerify('sha256').update(answer).verify(serverPublicKey, answerSignature, 'base64');
  });
  const aesCpuMs = cpuPerOp(iterations * 4, () => {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    Buffer.concat([decipher.update(Buffer.from(encrypt(), 'base64')), decipher.final()]);
  });
  return {
    signatureCpuMs: round(signatureCpuMs, 4),
    verifyCpuMs: round(verifyCpuMs, 4),
    aesCpuMs: round(aesCpuMs, 4),
    iterations,
  };
}
