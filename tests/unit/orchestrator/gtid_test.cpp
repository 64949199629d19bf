#include "plugins/orchestrator/src/gtid.h"

#include <gtest/gtest.h>

namespace mysqlop::orchestrator {
namespace {

GtidPos pos(const char* text) { return parseGtidPos(text).value(); }

TEST(Gtid, ParsesAndFormatsDomainLists) {
  EXPECT_TRUE(pos("").empty());
  EXPECT_EQ(formatGtidPos(pos("1-2-7,0-1-100")), "0-1-100,1-2-7");
  EXPECT_EQ(formatGtidPos(pos(" 0-1-100,\n1-2-7 ")), "0-1-100,1-2-7");
  EXPECT_EQ(pos("0-3-18446744073709551615").at(0).seq, 18446744073709551615ULL);
}

TEST(Gtid, RefusesWhatIsNotADomainList) {
  EXPECT_FALSE(parseGtidPos("0-1"));
  EXPECT_FALSE(parseGtidPos("0-1-x"));
  EXPECT_FALSE(parseGtidPos("0-1-2,"));
  EXPECT_FALSE(parseGtidPos("0-1-2,0-2-3"));                               // a domain twice
  EXPECT_FALSE(parseGtidPos("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"));  // MySQL's uuid sets
}

TEST(Gtid, ContainsComparesEveryDomain) {
  EXPECT_TRUE(gtidContains(pos("0-1-10"), pos("0-1-9")));
  EXPECT_TRUE(gtidContains(pos("0-2-10"), pos("0-1-10")));  // the seq counts, not the server
  EXPECT_FALSE(gtidContains(pos("0-1-9"), pos("0-1-10")));
  EXPECT_FALSE(gtidContains(pos("0-1-10"), pos("0-1-5,1-2-1")));  // a domain it lacks
  EXPECT_TRUE(gtidContains(pos("0-1-10,1-2-1"), pos("0-1-5")));
  EXPECT_TRUE(gtidContains(pos("0-1-10"), pos("")));
}

TEST(Gtid, ErrantIsTheReplicasOwnNewestTransaction) {
  // Replicated: the binlog's newest is the master's, as in gtid_slave_pos.
  EXPECT_EQ(errantGtids(pos("0-1-100"), pos("0-1-100"), 2), "");
  // The replica wrote one transaction of its own after the master's 100th.
  EXPECT_EQ(errantGtids(pos("0-2-101"), pos("0-1-100"), 2), "0-2-101");
  // In a domain it never replicated.
  EXPECT_EQ(errantGtids(pos("0-1-100,5-2-3"), pos("0-1-100"), 2), "5-2-3");
  // Another server's transactions are never the replica's own.
  EXPECT_EQ(errantGtids(pos("0-3-101"), pos("0-1-100"), 2), "");
}

TEST(Gtid, BeyondIsWhatTheBaseLacks) {
  EXPECT_EQ(gtidBeyond(pos("0-1-100"), pos("0-1-100")), "");
  EXPECT_EQ(gtidBeyond(pos(""), pos("0-1-100")), "");
  // One more transaction than the successor was promoted at.
  EXPECT_EQ(gtidBeyond(pos("0-1-101"), pos("0-1-100")), "0-1-101");
  // The same seq written by another server: diverged, not the same history.
  EXPECT_EQ(gtidBeyond(pos("0-1-100"), pos("0-2-100")), "0-1-100");
  EXPECT_EQ(gtidBeyond(pos("0-1-100,1-1-5"), pos("0-1-100")), "1-1-5");
}

TEST(Gtid, NotInSuccessorForgivesAnOldMasterThatLagsBehindIt) {
  // Promoted at 0-100-25; the successor (server 101) wrote on to 0-101-35.
  const GtidPos successor = pos("0-101-35"), promoted = pos("0-100-25");
  // The old master, joined under the successor by node init, has replicated up to 0-101-31.
  EXPECT_EQ(gtidNotInSuccessor(pos("0-101-31"), successor, promoted), "");
  EXPECT_EQ(gtidNotInSuccessor(pos("0-101-35"), successor, promoted), "");
  // It came back with nothing new: its newest is the promotion position or before it.
  EXPECT_EQ(gtidNotInSuccessor(pos("0-100-25"), successor, promoted), "");
  EXPECT_EQ(gtidNotInSuccessor(pos("0-100-20"), successor, promoted), "");
  // It executed writes of its own after the promotion (a resumed hung master): errant, whatever
  // their seq compared with the successor's.
  EXPECT_EQ(gtidNotInSuccessor(pos("0-100-26"), successor, promoted), "0-100-26");
  EXPECT_EQ(gtidNotInSuccessor(pos("0-100-40"), successor, promoted), "0-100-40");
  // Ahead of the successor in the successor's own numbering: not something it has.
  EXPECT_EQ(gtidNotInSuccessor(pos("0-101-36"), successor, promoted), "0-101-36");
  // A domain the successor never saw.
  EXPECT_EQ(gtidNotInSuccessor(pos("0-101-31,7-100-1"), successor, promoted), "7-100-1");
}

}  // namespace
}  // namespace mysqlop::orchestrator
