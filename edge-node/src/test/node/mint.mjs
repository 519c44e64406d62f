// mint.mjs owns minting test tokens with a third-party JWT library (npm jsonwebtoken, pinned in
// package.json / package-lock.json), so Parley's verifier is tested against tokens it did not make.
// Usage: node mint.mjs '<options JSON>'; prints the token.
//   options: {"secret":"...","payload":{"sub":"alice","name":"Alice"},"expiresInSeconds":300,
//             "issuer":"parley","audience":"parley","keyid":"optional","algorithm":"HS256"}
import jwt from "jsonwebtoken";

const options = JSON.parse(process.argv[2] ?? "{}");
const signOptions = { algorithm: options.algorithm ?? "HS256" };
if (options.expiresInSeconds !== undefined) signOptions.expiresIn = options.expiresInSeconds;
if (options.issuer !== undefined) signOptions.issuer = options.issuer;
if (options.audience !== undefined) signOptions.audience = options.audience;
if (options.keyid !== undefined) signOptions.keyid = options.keyid;
process.stdout.write(jwt.sign(options.payload ?? {}, options.secret, signOptions) + "\n");
