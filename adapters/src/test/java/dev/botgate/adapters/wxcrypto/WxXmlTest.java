package dev.botgate.adapters.wxcrypto;

import org.testng.annotations.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.expectThrows;

/** Untrusted XML: fields read, DOCTYPEs and entities refused. */
public class WxXmlTest {

    @Test
    public void readsCdataAndPlainFields() {
        WxXml x = WxXml.parse("<xml><A><![CDATA[a <b> & c]]></A><B>12</B></xml>");
        assertEquals(x.text("A"), "a <b> & c");
        assertEquals(x.text("B"), "12");
        assertEquals(x.text("Missing"), "");
    }

    @Test
    public void externalEntityIsRefusedAndTheFileNeverRead() throws Exception {
        Path secret = Files.createTempFile("botgate-xxe", ".txt");
        try {
            Files.writeString(secret, "TOP-SECRET-MARKER");
            String xxe = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"" + secret.toUri()
                    + "\">]><xml><Content>&xxe;</Content></xml>";
            WxCryptoException e = expectThrows(WxCryptoException.class, () -> WxXml.parse(xxe));
            assertFalse(e.getMessage().contains("TOP-SECRET-MARKER"), "file content must not leak into the error");
            // Files.getLastAccessTime is unreliable (noatime mounts); the refusal before any entity is the proof.
        } finally {
            Files.delete(secret);
        }
    }

    @Test
    public void internalEntityExpansionIsRefused() {
        String laughs = "<!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + "<xml><Content>&b;</Content></xml>";
        expectThrows(WxCryptoException.class, () -> WxXml.parse(laughs));
    }

    @Test
    public void malformedXmlIsRefused() {
        expectThrows(WxCryptoException.class, () -> WxXml.parse("<xml><A>unclosed</xml>"));
        expectThrows(WxCryptoException.class, () -> WxXml.parse(""));
    }

    @Test
    public void reusedParsersKeepRefusingDoctypesAndServeManyThreads() throws Exception {
        String xxe = "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><xml><A>&x;</A></xml>";
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            var results = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        String value = thread + "-" + i;
                        assertEquals(WxXml.parse("<xml><A>" + value + "</A></xml>").text("A"), value,
                                "each parse sees its own document");
                        if (i % 10 == 0) {
                            expectThrows(WxCryptoException.class, () -> WxXml.parse(xxe));
                            expectThrows(WxCryptoException.class, () -> WxXml.parse("<xml><A>open</xml>"));
                        }
                    }
                    return null;
                }));
            }
            for (var f : results) {
                f.get();
            }
        }
        expectThrows(WxCryptoException.class, () -> WxXml.parse(xxe));
    }

    @Test
    public void cdataEscapesItsTerminator() {
        assertEquals(WxXml.parse("<xml><A>" + WxXml.cdata("x]]>y") + "</A></xml>").text("A"), "x]]>y");
    }
}
