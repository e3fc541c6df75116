# The log writer of one container, started by its shim: reads the container's output FIFOs until
# every writer closed them and appends CRI log lines to the log file
# (2016-10-06T00:17:09.669794000Z stdout F text): F for a line ended by a newline, P for each
# 16 KiB of a longer one and for what is left without a newline at the end of a stream. The lines
# of one read go to the file with one write(2), so the file only ever holds whole CRI lines; the
# file is opened for each write, so a log rotated by renaming continues in a new file.
# Arguments: the log file, then <stream>=<fifo> for each stream. Prints "ready" on stdout once it
# holds every FIFO, so the shim knows it may close its own ends.
use strict;
use warnings;
use Time::HiRes qw(gettimeofday);

use constant MAX_LINE => 16 * 1024;

$SIG{PIPE} = $SIG{HUP} = 'IGNORE';
my ($log, @streams) = @ARGV;
my (%name, %pending, %handle);
my $all = '';
for my $arg (@streams) {
    my ($stream, $path) = split /=/, $arg, 2;
    open(my $fh, '<:raw', $path) or die "cannot open $path: $!\n";
    $name{fileno $fh} = $stream;
    $pending{fileno $fh} = '';
    $handle{fileno $fh} = $fh;
    vec($all, fileno $fh, 1) = 1;
}
$| = 1;
print "ready\n";
close STDOUT;

# gettimeofday has microseconds: exact, where a floating-point clock_gettime is not. (No POSIX
# strftime: that module costs every writer 1.5 MB.)
sub timestamp {
    my ($seconds, $micros) = gettimeofday();
    my @t = gmtime $seconds;
    return sprintf('%04d-%02d-%02dT%02d:%02d:%02d.%06d000Z', $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0], $micros);
}

sub append {
    my ($bytes) = @_;
    my $out;
    unless (open($out, '>>:raw', $log)) {
        warn "cannot open the log $log: $!\n";
        return;
    }
    while (length $bytes) {
        my $written = syswrite($out, $bytes);
        unless (defined $written) {
            warn "cannot write the log $log: $!\n";
            last;
        }
        substr($bytes, 0, $written, '');
    }
    close $out;
}

while (%handle) {
    my $ready = $all;
    my $n = select($ready, undef, undef, undef);
    if ($n < 0) {
        next if $!{EINTR};
        die "select: $!\n";
    }
    for my $fd (keys %handle) {
        next unless vec($ready, $fd, 1);
        my $read = sysread($handle{$fd}, my $chunk, 65536);
        next if !defined $read && $!{EINTR};
        my $time = timestamp();
        my $prefix = "$time $name{$fd} ";
        my $out = '';
        if ($read) {
            $pending{$fd} .= $chunk;
            while ($pending{$fd} =~ /\n/ || length $pending{$fd} >= MAX_LINE) {
                my $end = index($pending{$fd}, "\n");
                if ($end >= 0 && $end < MAX_LINE) {
                    $out .= $prefix . 'F ' . substr($pending{$fd}, 0, $end + 1, '');
                } else {
                    $out .= $prefix . 'P ' . substr($pending{$fd}, 0, MAX_LINE, '') . "\n";
                }
            }
        } else {
            # end of the stream (or an error reading it): what is left is an unfinished line
            $out .= $prefix . 'P ' . $pending{$fd} . "\n" if length $pending{$fd};
            vec($all, $fd, 1) = 0;
            close $handle{$fd};
            delete $handle{$fd};
        }
        append($out) if length $out;
    }
}
