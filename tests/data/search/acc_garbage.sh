#!/bin/sh
echo "accuracy: high"
