/**
 * WeChat-family message crypto and XML, shared by WeCom and the Official Account: the sorted-SHA-1 signature,
 * AES-256-CBC with the 32-byte PKCS#7 block and the receive-id trailer ({@link dev.botgate.adapters.wxcrypto.WxCrypto}), and XML
 * parsing that never resolves entities ({@link dev.botgate.adapters.wxcrypto.WxXml}). Written with
 * {@code java.util.Base64}, {@code MessageDigest} and JCA {@code AES/CBC/NoPadding} only.
 *
 * <p>Nothing in this package is {@code null}.
 */
package dev.botgate.adapters.wxcrypto;
