export { sha1Hex, sha1Prefix60 } from './sha1.js';
export { sha256, sha256Base64, hmacSha256, toHex, toBase64 } from './sha256.js';
export { utf8Bytes } from './utf8-encode.js';
