package dev.botgate.knowledge.ingest;

import java.util.ArrayList;
import java.util.List;

/** Plain text: blank lines separate paragraphs; a single line end stays as a sentence boundary. */
final class PlainTextReader implements FormatReader {

    @Override
    public Parsed read(byte[] content) {
        if (Charsets.looksBinary(content)) {
            throw new IngestException("this is not a text file (it contains binary data); check the file type");
        }
        return Parsed.of(units(Charsets.decode(content)));
    }

    static List<Unit> units(String text) {
        var units = new ArrayList<Unit>();
        for (String para : text.replace("\r\n", "\n").replace('\r', '\n').split("\n[ \t\u3000]*\n")) {
            String tidy = Text.tidyLines(para);
            if (!tidy.isEmpty()) {
                units.add(Unit.Block.of(Unit.Kind.PARAGRAPH, tidy, List.of()));
            }
        }
        return units;
    }
}
