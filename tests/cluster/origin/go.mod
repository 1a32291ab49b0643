// The origin server of the end-to-end suite: the site that clients reach through CephaloProxy.
module cephaloproxy.io/tests/cluster/origin

go 1.26.0
