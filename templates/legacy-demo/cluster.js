// The original README's socket.io example, unchanged but for the require path and the port.
var sticky = require('../..');
var port = Number(process.env.PORT || 3000);

sticky(function() {
  // This code will be executed only in workers

  var http = require('http'),
      io = require('socket.io');

  var server = http.createServer(function(req, res) {
    res.end('worker: ' + process.env.NODE_WORKER_ID + ' (pid ' + process.pid + ')\n');
  });
  io(server).on('connection', function(socket) {
    socket.emit('hello', { worker: process.env.NODE_WORKER_ID, pid: process.pid });
  });

  return server;
}).listen(port, function() {
  console.log('server started on ' + port + ' port');
});
