package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.Optional;
import org.testng.annotations.Test;

/** The decision rule, the menu's reading of replies and the follow-up test, on their own. */
public class AnswerDecisionTest {
    private static Passage qa(String question, double score) {
        return new Passage("faq.csv", "", "answer to " + question, score, false, question, score);
    }

    @Test
    public void belowTheThresholdIsAFallback() {
        assertTrue(AnswerDecision.decide(List.of(qa("a", 0.5)), 0.6, 0.05) instanceof AnswerDecision.Fallback);
        assertTrue(AnswerDecision.decide(List.of(), 0.6, 0.05) instanceof AnswerDecision.Fallback);
    }

    @Test
    public void aClearLeadIsAnswered() {
        AnswerDecision d = AnswerDecision.decide(List.of(qa("a", 0.8), qa("b", 0.7)), 0.6, 0.05);
        assertTrue(d instanceof AnswerDecision.Answer, "a lead of 0.1 over a margin of 0.05 answers: " + d);
        assertEquals(((AnswerDecision.Answer) d).relevant().size(), 2, "both passages reach the threshold");
    }

    @Test
    public void closeEntriesAreAskedAboutAtMostThree() {
        AnswerDecision d = AnswerDecision.decide(List.of(qa("a", 0.80), qa("b", 0.79), qa("c", 0.78), qa("d", 0.77),
                qa("e", 0.5)), 0.6, 0.05);
        assertTrue(d instanceof AnswerDecision.Clarify, d.toString());
        assertEquals(((AnswerDecision.Clarify) d).options().stream().map(Passage::question).toList(),
                List.of("a", "b", "c"), "the three best, in order");
        assertTrue(AnswerDecision.decide(List.of(qa("a", 0.80), qa("b", 0.79)), 0.6, 0)
                instanceof AnswerDecision.Answer, "margin 0 never asks");
        assertTrue(AnswerDecision.decide(List.of(new Passage("doc", "", "x", 0.8, false), qa("b", 0.79)), 0.6, 0.05)
                instanceof AnswerDecision.Answer, "a document passage on top is not a menu entry");
    }

    @Test
    public void aReplyPicksByNumberOrQuestion() {
        List<Passage> options = List.of(qa("退货的运费谁承担？", 0.8), qa("换货的运费谁承担？", 0.79));
        assertEquals(ClarifyingMenu.pick(options, "2").orElseThrow().question(), "换货的运费谁承担？");
        assertEquals(ClarifyingMenu.pick(options, " ２。").orElseThrow().question(), "换货的运费谁承担？",
                "full-width digit with punctuation");
        assertEquals(ClarifyingMenu.pick(options, "第1个").orElseThrow().question(), "退货的运费谁承担？");
        assertEquals(ClarifyingMenu.pick(options, "退货的运费谁承担").orElseThrow().question(), "退货的运费谁承担？");
        assertEquals(ClarifyingMenu.pick(options, "3"), Optional.empty(), "no third option");
        assertEquals(ClarifyingMenu.pick(options, "发票怎么开"), Optional.empty(), "another question picks nothing");
        assertEquals(ClarifyingMenu.text(options), "您是想问：\n1. 退货的运费谁承担？\n2. 换货的运费谁承担？");
    }

    @Test
    public void followUpsAreShortOrReferring() {
        assertTrue(FollowUpQuestion.isFollowUp("那运费呢？"));
        assertTrue(FollowUpQuestion.isFollowUp("要多久？"));
        assertTrue(FollowUpQuestion.isFollowUp("what about invoices?"));
        assertFalse(FollowUpQuestion.isFollowUp("下单后可以修改收货地址吗？"));
        assertFalse(FollowUpQuestion.isFollowUp("How do I change my delivery address?"));
        assertEquals(FollowUpQuestion.query("如何申请退货？", "那运费呢？"), "如何申请退货？ 那运费呢？");
        assertEquals(FollowUpQuestion.query("", "那运费呢？"), "那运费呢？", "no topic, nothing to add");
        assertEquals(FollowUpQuestion.query("如何申请退货？", "下单后可以修改收货地址吗？"), "下单后可以修改收货地址吗？");
    }
}
