package dev.botgate.adapters.wxcrypto;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The flat {@code <xml><Name>value</Name>…</xml>} documents WeChat-family platforms send, parsed from untrusted
 * bytes: any DOCTYPE is refused, external entities and XInclude are off, so no entity is ever resolved.
 */
public final class WxXml {
    private final Map<String, String> fields;

    private WxXml(Map<String, String> fields) {
        this.fields = fields;
    }

    /**
     * Parses a document whose root holds simple child elements.
     *
     * @throws WxCryptoException when the bytes are not well-formed XML or declare a DOCTYPE
     */
    public static WxXml parse(byte[] xml) {
        Document doc;
        DocumentBuilder b = borrow();
        try {
            doc = b.parse(new ByteArrayInputStream(xml));
        } catch (SAXException | IOException e) {
            // The parser's message may quote the document: say only what kind of problem it is. The builder is
            // dropped, not reused, after a failed parse.
            throw new WxCryptoException("malformed XML or DOCTYPE present");
        }
        release(b);
        Map<String, String> out = new LinkedHashMap<>();
        NodeList children = doc.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node n = children.item(i);
            if (n instanceof Element e) {
                out.putIfAbsent(e.getTagName(), e.getTextContent());
            }
        }
        return new WxXml(Collections.unmodifiableMap(out));
    }

    /** Parses a string. */
    public static WxXml parse(String xml) {
        return parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Builders kept for reuse: making one (the parser's configuration objects) cost more CPU than parsing a callback,
     * and every callback parses twice (envelope, then the decrypted message). A builder serves one parse at a time.
     */
    private static final ArrayBlockingQueue<DocumentBuilder> IDLE = new ArrayBlockingQueue<>(64);

    private static final class Factory {
        static final DocumentBuilderFactory SECURE;

        static {
            try {
                SECURE = factory();
            } catch (ParserConfigurationException e) {
                throw new IllegalStateException("XML parser lacks the secure-processing features", e);
            }
        }
    }

    private static DocumentBuilder borrow() {
        DocumentBuilder b = IDLE.poll();
        if (b == null) {
            try {
                synchronized (Factory.SECURE) { // factories are not thread-safe
                    b = Factory.SECURE.newDocumentBuilder();
                }
            } catch (ParserConfigurationException e) {
                throw new IllegalStateException("XML parser lacks the secure-processing features", e);
            }
        }
        // reset() may drop these, so every parse sets them again.
        b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // throws on fatal errors, prints nothing
        b.setEntityResolver((publicId, systemId) -> {
            throw new SAXException("entities are not resolved");
        });
        return b;
    }

    private static void release(DocumentBuilder b) {
        b.reset(); // back to the factory's (secure) settings
        IDLE.offer(b); // dropped when 64 are idle already
    }

    private static DocumentBuilderFactory factory() throws ParserConfigurationException {
        // The JDK's built-in parser, without the service lookup newInstance() does: that lookup scans every jar on
        // the class path and dominated the acknowledgement time under load (WeComLoadBench).
        DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(false);
        return f;
    }

    /** A child element's text, if present. */
    public Optional<String> get(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** A child element's text, or "" when absent. */
    public String text(String name) {
        return fields.getOrDefault(name, "");
    }

    /** All child elements in document order. */
    public Map<String, String> fields() {
        return fields;
    }

    /** Text wrapped for XML: a CDATA section, split where the text itself contains "]]>". */
    public static String cdata(String text) {
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>";
    }
}
