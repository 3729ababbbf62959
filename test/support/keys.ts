// RSA key pairs for a test GitHub App, PKCS#1 as GitHub issues them.
import { generateKeyPairSync } from "node:crypto";

export function appKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
}
