package dev.botgate.knowledge.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/**
 * Q&amp;A tables in .csv or .xlsx: one row is one Q&amp;A. Columns are found by a header row (q/question/问题,
 * a/answer/答案, indexes/similar/相似问题, MaxKB's 分段标题/分段内容/问题) or, without one, taken as question, answer,
 * then extra phrasings. Extra phrasings in one cell are separated by line ends, {@code |} or {@code ；}. A row with a
 * question but no answer is kept as a plain passage (FastGPT's "q only" rows).
 */
final class QaTableReader implements FormatReader {
    private static final Pattern PARENTHETICAL = Pattern.compile("[(（\\[【].*?[)）\\]】]");
    private static final Pattern PHRASING_SEPARATORS = Pattern.compile("(?:\\\\n|[\\n|；])+");
    private static final Pattern NUMBERING = Pattern.compile("^\\s*(\\d{1,3}[.、)）:：]|[-*•])\\s*");

    enum Role { QUESTION, ANSWER, EXTRA, TITLE, IGNORED }

    private final boolean excel;

    private QaTableReader(boolean excel) {
        this.excel = excel;
    }

    static QaTableReader csv() {
        return new QaTableReader(false);
    }

    static QaTableReader xlsx() {
        return new QaTableReader(true);
    }

    @Override
    public Parsed read(byte[] content) throws IOException {
        var units = new ArrayList<Unit>();
        if (excel) {
            try (var book = new XSSFWorkbook(new ByteArrayInputStream(content))) {
                var sheets = new ArrayList<Sheet>();
                book.sheetIterator().forEachRemaining(sheets::add);
                var formatter = new DataFormatter(Locale.ROOT);
                formatter.setUseCachedValuesForFormulaCells(true);
                for (Sheet sheet : sheets) {
                    List<String> path = sheets.size() > 1 ? List.of(sheet.getSheetName()) : List.of();
                    units.addAll(rows(cells(sheet, formatter), path));
                }
            }
        } else {
            if (Charsets.looksBinary(content)) {
                throw new IngestException("this is not a CSV text file (it contains binary data); "
                        + "save the table as CSV (UTF-8) or .xlsx and import again");
            }
            units.addAll(rows(csvRows(Charsets.decode(content)), List.of()));
        }
        if (units.isEmpty()) {
            throw new IngestException("no Q&A rows found: put the question in the first column and the answer in "
                    + "the second, or name the columns (question/answer, q/a, 问题/答案)");
        }
        return Parsed.of(units);
    }

    private static List<List<String>> csvRows(String text) throws IOException {
        char delimiter = delimiter(text);
        var format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreEmptyLines(true).get();
        var rows = new ArrayList<List<String>>();
        try (CSVParser parser = CSVParser.parse(new StringReader(text), format)) {
            for (CSVRecord record : parser) {
                rows.add(record.toList());
            }
        } catch (UncheckedIOException e) {
            throw new IngestException("the CSV is malformed (" + e.getCause().getMessage()
                    + "); check the quotes around cells that contain commas or line ends", e);
        }
        return rows;
    }

    /** Comma unless the first line has more tabs or semicolons outside quotes (exports from spreadsheets). */
    private static char delimiter(String text) {
        int comma = 0;
        int tab = 0;
        int semicolon = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length() && text.charAt(i) != '\n'; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                switch (c) {
                    case ',' -> comma++;
                    case '\t' -> tab++;
                    case ';' -> semicolon++;
                    default -> {
                    }
                }
            }
        }
        if (tab > comma && tab >= semicolon) {
            return '\t';
        }
        return semicolon > comma ? ';' : ',';
    }

    private static List<List<String>> cells(Sheet sheet, DataFormatter formatter) {
        var rows = new ArrayList<List<String>>();
        for (Row row : sheet) {
            var cells = new ArrayList<String>();
            for (int c = 0; c < Math.max(row.getLastCellNum(), 0); c++) {
                Cell cell = row.getCell(c);
                cells.add(cell == null ? "" : formatter.formatCellValue(cell));
            }
            rows.add(cells);
        }
        return rows;
    }

    /** Rows to units: the header (when there is one) decides the columns. */
    static List<Unit> rows(List<List<String>> rows, List<String> headingPath) {
        var units = new ArrayList<Unit>();
        int first = 0;
        while (first < rows.size() && rows.get(first).stream().allMatch(String::isBlank)) {
            first++;
        }
        if (first >= rows.size()) {
            return units;
        }
        List<Role> roles = header(rows.get(first));
        if (roles.isEmpty()) {
            roles = List.of(Role.QUESTION, Role.ANSWER);
        } else {
            first++;
        }
        for (List<String> row : rows.subList(first, rows.size())) {
            row(row, roles, headingPath).ifPresent(units::add);
        }
        return units;
    }

    private static java.util.Optional<Unit> row(List<String> row, List<Role> roles, List<String> headingPath) {
        String question = "";
        String answer = "";
        String title = "";
        var extras = new ArrayList<String>();
        for (int i = 0; i < row.size(); i++) {
            // Without a header, or past the named columns, further cells are extra phrasings (FastGPT's indexes).
            Role role = i < roles.size() ? roles.get(i) : roles.getLast() == Role.IGNORED ? Role.IGNORED : Role.EXTRA;
            String cell = row.get(i).strip();
            if (cell.isEmpty()) {
                continue;
            }
            switch (role) {
                case QUESTION -> {
                    if (question.isEmpty()) {
                        // MaxKB puts several questions in one cell, one per line: the first is the question.
                        List<String> qs = phrasings(cell);
                        question = qs.isEmpty() ? "" : qs.getFirst();
                        extras.addAll(qs.subList(Math.min(1, qs.size()), qs.size()));
                    } else {
                        extras.addAll(phrasings(cell));
                    }
                }
                case ANSWER -> answer = answer.isEmpty() ? cell : answer + "\n" + cell;
                case EXTRA -> extras.addAll(phrasings(cell));
                case TITLE -> title = Text.collapseSpaces(cell);
                case IGNORED -> {
                }
            }
        }
        if (question.isEmpty()) {
            question = title;
        }
        if (question.isEmpty()) {
            return java.util.Optional.empty();
        }
        answer = Text.tidyLines(answer);
        if (answer.isEmpty()) {
            return java.util.Optional.of(Unit.Block.of(Unit.Kind.PARAGRAPH, Text.tidyLines(question), headingPath));
        }
        var questions = new LinkedHashSet<String>();
        questions.add(question);
        questions.addAll(extras);
        return java.util.Optional.of(new Unit.QaPair(List.copyOf(questions), answer, headingPath));
    }

    private static List<String> phrasings(String cell) {
        var out = new ArrayList<String>();
        for (String p : PHRASING_SEPARATORS.split(cell)) {
            String t = Text.collapseSpaces(NUMBERING.matcher(p).replaceFirst("")).strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** The roles of the columns when {@code row} is a header; empty when it is data. */
    static List<Role> header(List<String> row) {
        var roles = new ArrayList<Role>();
        boolean named = false;
        for (String cell : row) {
            Role role = role(cell);
            named |= role == Role.QUESTION || role == Role.ANSWER;
            roles.add(role);
        }
        return named ? roles : List.of();
    }

    static Role role(String header) {
        String raw = header.replace("\uFEFF", "").strip().toLowerCase(Locale.ROOT);
        String h = PARENTHETICAL.matcher(raw).replaceAll("").strip();
        if (h.isEmpty()) {
            return Role.IGNORED;
        }
        if (h.contains("相似") || h.contains("similar") || h.startsWith("index") || h.contains("其他问法")
                || h.contains("扩展问") || h.contains("同义") || h.contains("alias") || h.contains("variant")
                || h.contains("paraphrase")) {
            return Role.EXTRA;
        }
        return switch (h) {
            case "q", "question", "questions", "问题", "问", "标准问题", "问法", "提问" -> Role.QUESTION;
            case "a", "answer", "answers", "答案", "回答", "答复", "回复", "分段内容", "内容", "content" -> Role.ANSWER;
            case "title", "标题", "分段标题" -> Role.TITLE;
            default -> Role.IGNORED;
        };
    }
}
