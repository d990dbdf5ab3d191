# slow_dns.pl: a DNS server on 127.0.0.1:53 (UDP) for one name, answering
# its A query only after the delay that DELAY_FILE holds (seconds, re-read
# for every query): a slow resolver, as when a failover moves a DNS name.
# Every other query gets an empty answer at once.  Run it where port 53 is
# free to bind: in a network namespace of one's own (unshare -rn).
#   perl slow_dns.pl NAME ADDRESS DELAY_FILE
use strict;
use warnings;
use IO::Socket::INET;

my ($name, $address, $delay_file) = @ARGV;
my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 53, Proto => 'udp')
  or die "slow_dns: cannot bind 127.0.0.1:53: $!\n";

sub delay
{
	open(my $fh, '<', $delay_file) or return 0;
	my $d = <$fh> // 0;
	close $fh;
	return $d + 0;
}

# The question's name, its type and where it ends, from a query.
sub question
{
	my ($q) = @_;
	my ($pos, @labels) = (12);
	while ((my $len = ord(substr($q, $pos, 1))) > 0)
	{
		push @labels, substr($q, $pos + 1, $len);
		$pos += $len + 1;
	}
	my $qtype = unpack('n', substr($q, $pos + 1, 2));
	return (lc join('.', @labels), $qtype, $pos + 5);
}

while (my $peer = $sock->recv(my $q, 512))
{
	next if length($q) < 17;
	my ($qname, $qtype, $end) = question($q);
	my $match = $qname eq lc $name && $qtype == 1;
	select(undef, undef, undef, delay()) if $match;
	# header: same id, a response (QR, AA, RD, RA), one question, 0 or 1 answer
	my $reply = substr($q, 0, 2) . pack('nnnnn', 0x8580, 1, $match ? 1 : 0, 0, 0)
	  . substr($q, 12, $end - 12);
	$reply .= pack('nnnNn', 0xC00C, 1, 1, 0, 4) . pack('C4', split /\./, $address) if $match;
	$sock->send($reply, 0, $peer);
}
