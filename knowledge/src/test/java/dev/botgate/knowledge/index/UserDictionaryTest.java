package dev.botgate.knowledge.index;

import org.testng.annotations.Test;

import java.util.List;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class UserDictionaryTest {
    @Test
    public void findsLongestMatchesLeftToRight() {
        UserDictionary d = UserDictionary.of(List.of("支付宝", "支付宝花呗", "iphone"));
        List<int[]> found = d.find("用支付宝花呗和支付宝买iphone");
        assertEquals(found.size(), 3, "three words");
        assertEquals(found.get(0)[1] - found.get(0)[0], 5, "支付宝花呗 beats 支付宝");
        assertEquals(found.get(2)[0], 11, "iphone found at its offset");
    }

    @Test
    public void normalisesAndSkipsCommentsAndBlanks() {
        assertEquals(UserDictionary.of(List.of(" WeCom ", "", "# comment", "支付宝")).words(),
                List.of("wecom", "支付宝"), "trimmed, lowercased, sorted");
    }

    @Test
    public void refusesOneCharacterWords() {
        KnowledgeException e = expectThrows(KnowledgeException.class, () -> UserDictionary.of(List.of("宝")));
        assertTrue(e.getMessage().contains("2..32"), e.getMessage());
    }
}
