#!/bin/sh
# A stand-in for less: marks each line, so the transcript shows what went through the pager.
sed 's/^/PAGER| /'
