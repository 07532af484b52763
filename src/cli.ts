// placeholder, replaced by the CLI issue
console.log('checkmarx-auth');
